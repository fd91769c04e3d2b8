"""What the answers say without reading headers: a batch sent again is a replay, a
month's grades are provisional, closed or final, and a batch for a closed month waits for
a re-grade."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.models import CloseState
from stations.models import Station
from tests.api.conftest import MONTH
from tests.builders import score_month
from tests.factories import MonthCloseFactory

pytestmark = pytest.mark.django_db

TWO = [
    {"station_code": "F1", "period": MONTH, "indicator_code": "safety", "value": 91},
    {"station_code": "F2", "period": MONTH, "indicator_code": "safety", "value": 82.5},
]


def test_a_batch_sent_again_says_it_was_replayed(caller):
    first = caller.post_json(TWO).json()
    assert first["replayed"] is False and first["notices"] == []
    second = caller.post_json(TWO).json()
    assert second["replayed"] is True and second["id"] == first["id"]
    assert second["notices"] == [
        f"此批数据此前已发送过：没有再次导入；这是此前的导入任务（#{first['id']}）。"
    ]


def test_the_same_in_english(caller, settings):
    caller.post_json(TWO)
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    second = caller.post_json(TWO).json()
    assert second["replayed"] is True
    assert "nothing was imported again" in second["notices"][0]


@pytest.fixture
def scored(feed_company):
    stations = list(Station.objects.filter(county__company=feed_company).order_by("code"))
    return score_month(stations, date(2026, 10, 1), [50 + 5 * n for n in range(6)])


def test_months_and_scores_say_their_close_state(caller, scored, feed_company):
    assert caller.get("/api/v1/months/").json()["results"][0]["close_state"] == "final"
    close = MonthCloseFactory(company=feed_company, period=date(2026, 10, 1))
    assert caller.get(f"/api/v1/months/{MONTH}/").json()["close_state"] == "provisional"
    scores = caller.get(f"/api/v1/months/{MONTH}/scores/").json()["results"]
    assert {row["close_state"] for row in scores} == {"provisional"}
    close.state = CloseState.CLOSED
    close.save()
    assert caller.get("/api/v1/months/").json()["results"][0]["close_state"] == "closed"
    history = caller.get("/api/v1/stations/F1/history/").json()["results"]
    assert history[0]["close_state"] == "closed"


def test_a_batch_for_a_closed_month_says_its_grades_wait(caller, feed_company, settings):
    MonthCloseFactory(company=feed_company, period=date(2026, 10, 1), state=CloseState.CLOSED)
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = caller.post_json(TWO).json()
    assert answer["status"] == "done"
    assert answer["closed_months"] == [MONTH]
    assert answer["notices"] == [
        f"{MONTH} closed: the values are stored, but the published grades change only when "
        "an administrator publishes the re-grade."
    ]
    open_month = [dict(row, period="2026-09") for row in TWO]
    assert caller.post_json(open_month).json()["closed_months"] == []


def test_a_json_duplicate_names_the_earlier_value_by_its_row(caller, settings):
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    values = [
        *TWO,
        {"station_code": "F1", "period": MONTH, "indicator_code": "safety", "value": 70},
    ]
    response = caller.post_json(values)
    assert response.status_code == 422
    (defect,) = response.json()["defects"]
    assert (defect["row"], defect["code"]) == (3, "conflicting_duplicate")
    assert defect["message"].endswith("(70 here, 91 on row 1 of values)")


def test_a_csv_duplicate_still_names_the_file_line(caller, settings):
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = "station_code,period,indicator_code,value\nF1,2026-10,safety,91\nF1,2026-10,safety,70\n"
    response = caller.post("/api/v1/values/", body, "text/csv")
    (defect,) = response.json()["defects"]
    assert defect["row"] == 3 and defect["message"].endswith("(70 here, 91 on line 2)")


def test_an_unaccepted_content_type_lists_the_accepted_ones(caller):
    response = caller.post("/api/v1/values/", "a=b", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    body = response.json()
    assert body["accepted"] == [
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert "application/json" in body["detail"] and "text/csv" in body["detail"]
    assert "application/x-www-form-urlencoded" in body["detail"]


def test_malformed_json_says_where_in_a_translated_sentence(caller, settings):
    response = caller.post("/api/v1/values/", '{"values": [\n  {"a": 1,}\n]}', "application/json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Expecting" not in detail and "delimiter" not in detail and "char" not in detail
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = caller.post("/api/v1/values/", '{"values": [\n  {"a": 1,}\n]}', "application/json")
    assert response.json()["detail"] == ("The body is not valid JSON (line 2, column 11).")
