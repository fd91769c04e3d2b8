"""Headers may name a column by its Chinese (or English) name; an unknown header is
answered with the nearest valid name and the list of valid ones."""

from __future__ import annotations

import pytest
from django.utils import translation

from indicators.models import IndicatorValue
from indicators.services import check_indicator_file
from tabular.defects import FileRejected
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def check(path):
    return check_indicator_file(path, display_name=path.name, today=TODAY)


@pytest.mark.parametrize(
    "header",
    [
        "station_code,period,安全生产指数,线损管理",
        "供电所编码,月份,安全生产,线损管理指数",
        "station_code,period,Work safety index,line_loss",
    ],
)
def test_chinese_and_english_names_are_accepted_as_headers(three_stations, write_file, header):
    path = write_file("wide.csv", f"{header}\nS1,2026-05,90,80\nS2,2026-05,70,60\n")
    parsed = check(path)
    assert sorted((r.station_code, r.indicator_code, r.value) for r in parsed.records) == [
        ("S1", "line_loss", 80.0),
        ("S1", "safety", 90.0),
        ("S2", "line_loss", 60.0),
        ("S2", "safety", 70.0),
    ]


def test_long_form_with_chinese_fixed_columns(three_stations, write_file):
    path = write_file("long.csv", "供电所编码,月份,指标,数值\nS1,2026-05,safety,90\n")
    assert [(r.station_code, r.value) for r in check(path).records] == [("S1", 90.0)]


def test_one_column_named_twice_is_refused(three_stations, write_file):
    path = write_file("twice.csv", "station_code,period,safety,安全生产指数\nS1,2026-05,90,80\n")
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        check(path)
    assert [(d.code, d.line) for d in refused.value.defects] == [("duplicate_column", 1)]


def test_an_unknown_header_gets_the_nearest_name_and_the_valid_list(three_stations, write_file):
    path = write_file("typo.csv", "station_code,period,safty,安全生产\nS1,2026-05,90,80\n")
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        check(path)
    (defect,) = refused.value.defects
    assert defect.line == 1 and defect.column == "safty"
    assert "did you mean 'safety'?" in defect.message
    assert "customer_satisfaction" in defect.message and "team_performance" in defect.message
    assert IndicatorValue.objects.count() == 0


def test_a_chinese_typo_is_matched_to_its_indicator(three_stations, write_file):
    path = write_file("typo.csv", "station_code,period,线损管里\nS1,2026-05,90\n")
    with translation.override("en"), pytest.raises(FileRejected) as refused:
        check(path)
    assert "did you mean 'line_loss'?" in refused.value.defects[0].message


def test_a_name_in_quotes_is_accepted_without_them(three_stations, write_file):
    path = write_file("quotes.csv", "station_code,period,获得电力\nS1,2026-05,88\n")
    assert [(r.indicator_code, r.value) for r in check(path).records] == [
        ("getting_electricity", 88.0)
    ]
