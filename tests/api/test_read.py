"""Reading: stations, counties, months, scores, history and imports, paginated, filtered
by month and county, and only ever the caller's company."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.models import ScoreRun
from stations.models import Station
from tests.api.conftest import MONTH
from tests.builders import score_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(feed_company):
    stations = list(Station.objects.filter(county__company=feed_company).order_by("code"))
    return score_month(stations, date(2026, 10, 1), [50 + 5 * n for n in range(6)])


def test_stations_only_of_the_callers_company(caller, other_company):
    body = caller.get("/api/v1/stations/").json()
    assert body["count"] == 6
    assert [row["code"] for row in body["results"]] == ["F1", "F2", "F3", "F4", "F5", "F6"]
    assert caller.get("/api/v1/stations/X1/").status_code == 404
    assert caller.get("/api/v1/stations/F2/").json()["name"] == "站2"


def test_filter_by_county_and_refuse_a_bad_one(caller, other_company):
    counties = caller.get("/api/v1/counties/").json()["results"]
    west = next(county for county in counties if county["name"] == "西区")
    rows = caller.get("/api/v1/stations/", county=west["id"]).json()["results"]
    assert [row["code"] for row in rows] == ["F4", "F5", "F6"]
    foreign = other_company.counties.get().pk
    for bad in ("abc", str(foreign), "-1"):
        response = caller.get("/api/v1/stations/", county=bad)
        assert response.status_code == 400 and response.json()["detail"]


def test_pages(caller):
    first = caller.get("/api/v1/stations/", page_size=4).json()
    assert first["count"] == 6 and len(first["results"]) == 4 and first["next"]
    second = caller.get("/api/v1/stations/", page_size=4, page=2).json()
    assert [row["code"] for row in second["results"]] == ["F5", "F6"]
    for bad in ("3", "0", "x"):
        response = caller.get("/api/v1/stations/", page_size=4, page=bad)
        assert response.status_code == 400 and response.json()["detail"]


def test_months_and_scores_with_method_and_weight_version(caller, scored):
    months = caller.get("/api/v1/months/").json()["results"]
    assert [(m["month"], m["weight_version"], m["method_version"]) for m in months] == [
        (MONTH, 1, 1)
    ]
    rows = caller.get(f"/api/v1/months/{MONTH}/scores/").json()["results"]
    assert rows[0]["station_code"] == "F6" and rows[0]["rank"] == 1
    assert rows[0]["grade"] == ScoreRun.objects.get().scores.get(station__code="F6").grade
    assert caller.get("/api/v1/months/2026-09/").status_code == 404
    for bad in ("2026-13", "oct", "2026-1"):
        response = caller.get(f"/api/v1/months/{bad}/scores/")
        assert response.status_code == 400 and response.json()["detail"]


def test_station_history(caller, scored):
    rows = caller.get("/api/v1/stations/F1/history/").json()["results"]
    stored = scored.scores.get(station__code="F1")
    assert [(row["month"], row["rank"], row["grade"]) for row in rows] == [
        (MONTH, stored.rank, stored.grade)
    ]
    assert caller.get("/api/v1/stations/NOPE/history/").status_code == 404


def test_unknown_addresses_under_the_api_are_json(caller):
    response = caller.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response.json()["detail"]


def test_imports_filtered_by_month(caller):
    caller.post_json(
        [{"station_code": "F1", "period": "2026-09", "indicator_code": "safety", "value": 9}]
    )
    assert caller.get("/api/v1/imports/", month="2026-09").json()["count"] == 1
    assert caller.get("/api/v1/imports/", month="2026-08").json()["count"] == 0
    assert caller.get("/api/v1/imports/", month="Sept").status_code == 400


def test_another_companys_token_sees_none_of_it(feed_company, other_company, caller):
    from django.test import Client

    from api.tokens import issue_token
    from tests.api.conftest import Caller

    caller.post_json(
        [{"station_code": "F1", "period": "2026-09", "indicator_code": "safety", "value": 9}]
    )
    other = Caller(Client(), issue_token(name="x", company=other_company, indicators=[]).plaintext)
    assert other.get("/api/v1/imports/").json()["count"] == 0
    assert [row["code"] for row in other.get("/api/v1/stations/").json()["results"]] == ["X1"]


def test_a_provisional_month_is_marked_so_in_every_read(caller, feed_company, scored):
    """The portal reads the API: a month under review must not look final there."""
    from scoring.models import CloseState, MonthClose

    def flags() -> list[bool]:
        month = caller.get(f"/api/v1/months/{MONTH}/").json()
        listed = caller.get("/api/v1/months/").json()["results"][0]
        scores = caller.get(f"/api/v1/months/{MONTH}/scores/").json()["results"]
        history = caller.get("/api/v1/stations/F1/history/").json()["results"]
        return [month["provisional"], listed["provisional"], scores[0]["provisional"],
                history[0]["provisional"]]  # fmt: skip

    assert flags() == [False] * 4  # a month without a review is final
    close = MonthClose.objects.create(
        company=feed_company, period=date(2026, 10, 1), state=CloseState.PROVISIONAL
    )
    assert flags() == [True] * 4
    close.state = CloseState.CLOSED
    close.save()
    assert flags() == [False] * 4
