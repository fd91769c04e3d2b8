"""What a station code may hold, and the lengths of a stations file's texts, are checked
line by line like every other defect (issue 13, defects 1 and 6)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from stations.codes import is_station_code
from stations.models import Station
from tests.factories import StationFactory

HEADER = "code,name,county,latitude,longitude,staff_count\n"


def _rejection(write_file, body: str, language: str = "en") -> str:
    path = write_file("stations.csv", HEADER + body)
    with translation.override(language), pytest.raises(CommandError) as caught:
        call_command("import_stations", str(path))
    return str(caught.value)


@pytest.mark.django_db
def test_a_code_with_a_slash_or_a_space_is_refused_on_its_line(write_file):
    lines = ["A01,甲,海曙,29.8,121.5,10", "X/12,乙,海曙,29.8,121.5,10", "B 2,丙,海曙,29.8,121.5,1"]
    message = _rejection(write_file, "\n".join(lines) + "\n")
    assert "line 3, column code: 'X/12' is not a station code" in message
    assert "line 4, column code: 'B 2' is not a station code" in message
    assert "line 2" not in message
    assert Station.objects.count() == 0  # the whole file is refused


@pytest.mark.django_db
def test_the_code_refusal_is_translated(write_file):
    message = _rejection(write_file, "X/12,乙,海曙,29.8,121.5,10\n", language="zh-hans")
    assert "'X/12' 不是供电所代码" in message


@pytest.mark.django_db
def test_texts_longer_than_their_columns_are_listed_not_a_database_error(write_file):
    code, name, county = "C" * 33, "名" * 101, "县" * 101
    message = _rejection(
        write_file, f"{code},甲,海曙,29.8,121.5,10\nA02,{name},{county},29.8,121.5,10\n"
    )
    assert "line 2, column code: the code has 33 characters, more than 32" in message
    assert "line 3, column name: the name has 101 characters, more than 100" in message
    assert "line 3, column county: the county has 101 characters, more than 100" in message
    assert Station.objects.count() == 0


@pytest.mark.django_db
def test_the_longest_allowed_texts_are_imported(write_file):
    code, name, county = "C" * 32, "名" * 100, "县" * 100
    path = write_file("stations.csv", HEADER + f"{code},{name},{county},29.8,121.5,10\n")
    call_command("import_stations", str(path))
    station = Station.objects.get()
    assert (station.code, station.name, station.county.name) == (code, name, county)


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("S1", True),
        ("ST0001", True),
        ("1001", True),
        ("A-02_b.3", True),
        ("x1", True),
        ("X/12", False),
        ("a b", False),
        ("名字", False),
        (".", False),
        ("..", False),
        ("-1", False),
        ("", False),
        ("A?", False),
    ],
)
def test_what_a_station_code_may_contain(code, allowed):
    assert is_station_code(code) is allowed


@pytest.mark.django_db
def test_the_model_validates_the_code_where_forms_use_it():
    StationFactory(code="S1").full_clean()
    with pytest.raises(ValidationError) as caught:
        StationFactory.build(code="X/12", county=StationFactory().county).full_clean()
    assert "code" in caught.value.message_dict
