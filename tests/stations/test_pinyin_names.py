"""Chinese names sort by pinyin (东吴 dōngwú, 九龙湖 jiǔlónghú, 临山 línshān), not by code
point (东吴, 临山, 九龙湖); counties may have an official order set by an administrator."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from stations.models import County, Station
from stations.pinyin import full_pinyin, initials, sort_key, users_by_pinyin
from tests.factories import CountyFactory, StationFactory, UserFactory, user_with_role
from tests.mapviews.months import OCTOBER, score_month

pytestmark = pytest.mark.django_db

HEADER = "code,name,county,latitude,longitude,staff_count\n"
BY_CODE_POINT = ["东吴", "临山", "九龙湖"]
BY_PINYIN = ["东吴", "九龙湖", "临山"]


def test_the_keys_of_a_name():
    assert sorted(BY_CODE_POINT) == BY_CODE_POINT  # what sorting the names alone gives
    assert sorted(BY_CODE_POINT, key=sort_key) == BY_PINYIN
    assert (full_pinyin("梅林供电所"), initials("梅林供电所")) == ("meilingongdiansuo", "mlgds")
    assert sort_key("李") < sort_key("林")  # li before lin, as in a dictionary


def test_a_station_and_a_county_keep_their_keys_when_saved_and_renamed():
    station = StationFactory(name="梅林供电所", county__name="海曙")
    assert (station.pinyin, station.initials, station.county.initials) == (
        "meilingongdiansuo",
        "mlgds",
        "hs",
    )
    station.name = "东吴供电所"
    station.save(update_fields=["name"])
    stored = Station.objects.values_list("sort_key", "pinyin", "initials").get(pk=station.pk)
    assert stored == ("dong1wu2gong1dian4suo3", "dongwugongdiansuo", "dwgds")


def test_the_station_import_stores_the_keys_of_new_and_renamed_stations(write_file):
    rows = "A1,梅林供电所,海曙,29.8,121.5,10\nA2,大碶供电所,北仑,29.8,121.5,10\n"
    call_command("import_stations", str(write_file("s.csv", HEADER + rows)))
    renamed = "A1,临山供电所,海曙,29.8,121.5,10\nA2,大碶供电所,北仑,29.8,121.5,10\n"
    call_command("import_stations", str(write_file("s2.csv", HEADER + renamed)))
    keys = dict(Station.objects.values_list("code", "initials"))
    assert keys == {"A1": "lsgds", "A2": "dqgds"}
    assert dict(County.objects.values_list("name", "initials")) == {"海曙": "hs", "北仑": "bl"}


def options(html: str, select_id: str) -> list[str]:
    select = html[html.index(f'id="{select_id}"') :]
    select = select[: select.index("</select>")]
    return [name.strip() for name in re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)<", select)]


@pytest.fixture
def three_named(company):
    """Three stations named 东吴, 临山, 九龙湖 (codes in that order), in counties of the
    same names, scored in October (东吴 ranked first)."""
    stations = [
        StationFactory(code=f"S{n}", name=name, county=CountyFactory(company=company, name=name))
        for n, name in enumerate(BY_CODE_POINT, start=1)
    ]
    score_month(stations, OCTOBER, [30, 20, 10])
    return stations


def station_order(html: str, names: list[str]) -> list[str]:
    body = html[html.index("<tbody") :]
    return sorted(names, key=body.index)


def test_the_county_filter_and_the_ranking_list_by_pinyin(client, three_named):
    client.force_login(user_with_role("party_committee"))
    html = client.get(reverse("mapviews:ranking"), {"sort": "station"}).content.decode()
    assert options(html, "county-select") == BY_PINYIN
    assert station_order(html, BY_CODE_POINT) == BY_PINYIN
    html = client.get(reverse("mapviews:ranking"), {"sort": "county"}).content.decode()
    assert station_order(html, BY_CODE_POINT) == BY_PINYIN
    html = client.get(reverse("mapviews:ranking"), {"sort": "station", "dir": "desc"})
    assert station_order(html.content.decode(), BY_CODE_POINT) == BY_PINYIN[::-1]


def test_an_official_county_order_comes_before_pinyin(client, three_named):
    County.objects.filter(name="临山").update(sort_order=1)
    County.objects.filter(name="九龙湖").update(sort_order=2)
    client.force_login(user_with_role("party_committee"))
    html = client.get(reverse("mapviews:ranking"), {"sort": "county"}).content.decode()
    assert options(html, "county-select") == ["临山", "九龙湖", "东吴"]
    assert station_order(html, BY_CODE_POINT) == ["临山", "九龙湖", "东吴"]


def test_the_matrix_sorts_stations_by_pinyin(client, three_named):
    client.force_login(user_with_role("party_committee"))
    html = client.get(reverse("mapviews:matrix"), {"sort": "station"}).content.decode()
    assert station_order(html, BY_CODE_POINT) == BY_PINYIN


def test_users_sort_by_the_pinyin_of_their_names():
    users = [UserFactory(first_name=name, last_name="") for name in BY_CODE_POINT]
    assert [user.get_full_name() for user in users_by_pinyin(users)] == BY_PINYIN
