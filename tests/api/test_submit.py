"""POST /api/v1/values/: all or nothing like a file import, defects by row, the token's
scope, idempotency, and a JSON 4xx for every bad request."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.test import Client

from api.models import ApiToken, Submission
from api.tokens import revoke_token
from indicators.models import ImportBatch, IndicatorValue
from stations.models import Station
from tests.api.conftest import MONTH, Caller, month_values
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/values/"
TWO = [
    {"station_code": "F1", "period": MONTH, "indicator_code": "safety", "value": 91},
    {"station_code": "F2", "period": MONTH, "indicator_code": "safety", "value": 82.5},
]


def test_a_small_json_batch_is_written_before_the_answer(caller):
    response = caller.post_json(TWO)
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "done" and job["finished"] is True
    assert job["value_count"] == 2 and job["months"] == [MONTH]
    assert job["feeding_system"] == "配电物联网平台"
    assert response["Location"] == f"/api/v1/imports/{job['id']}/"
    stored = dict(IndicatorValue.objects.values_list("station__code", "value"))
    assert stored == {"F1": 91.0, "F2": 82.5}


def test_the_token_records_each_use_and_where_from(caller, issued):
    caller.client.get(
        "/api/v1/stations/",
        headers={"Authorization": f"Bearer {issued.plaintext}"},
        REMOTE_ADDR="10.1.2.3",
    )
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.use_count == 1
    assert token.last_used_from == "10.1.2.3"
    assert token.last_used_at is not None


def test_csv_and_xlsx_bodies(caller):
    csv_body = "station_code,period,safety,financial\nF1,2026-10,90,100\nF2,2026-10,80,110\n"
    response = caller.post(URL, csv_body, "text/csv")
    assert response.status_code == 201, response.content
    assert response.json()["value_count"] == 4

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["station_code", "period", "indicator_code", "value"])
    sheet.append(["F3", "2026-09", "safety", 70])
    data = io.BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = caller.post(URL, data.getvalue(), xlsx)
    assert response.status_code == 201, response.content
    assert IndicatorValue.objects.count() == 5


def test_a_bad_batch_writes_nothing_and_names_each_row(caller):
    values = [
        *TWO,
        {"station_code": "NOPE", "period": MONTH, "indicator_code": "safety", "value": 1},
        {"station_code": "F3", "period": "2026-13", "indicator_code": "safety", "value": 1},
        {"station_code": "F4", "period": MONTH, "indicator_code": "safety", "value": 101},
    ]
    response = caller.post_json(values)
    assert response.status_code == 422
    body = response.json()
    assert "nothing was written" in body["detail"] or "未写入" in body["detail"]
    where = [(d["row"], d["column"], d["code"]) for d in body["defects"]]
    assert where == [
        (3, "station_code", "unknown_station"),
        (4, "period", "bad_period"),
        (5, "value", "out_of_range"),
    ]
    assert body["defect_count"] == 3
    assert not IndicatorValue.objects.exists()
    assert not ImportBatch.objects.exists()


def test_csv_rows_are_the_files_lines(caller):
    body = "station_code,period,indicator_code,value\nF1,2026-10,safety,90\nF2,2026-10,safety,x\n"
    response = caller.post(URL, body, "text/csv")
    assert response.status_code == 422
    assert [(d["row"], d["column"]) for d in response.json()["defects"]] == [(3, "value")]


def test_scope_other_company_and_indicators_not_allowed(feed_company, other_company, narrow):
    caller = Caller(Client(), narrow.plaintext)
    values = [
        {"station_code": "F1", "period": MONTH, "indicator_code": "safety", "value": 90},
        {"station_code": "X1", "period": MONTH, "indicator_code": "safety", "value": 90},
        {"station_code": "F2", "period": MONTH, "indicator_code": "financial", "value": 90},
    ]
    response = caller.post_json(values)
    assert response.status_code == 422
    where = [(d["row"], d["column"], d["code"]) for d in response.json()["defects"]]
    assert where == [
        (2, "station_code", "station_not_in_company"),
        (3, "indicator_code", "indicator_not_allowed"),
    ]
    wide = "station_code,period,financial\nF1,2026-10,90\n"
    response = caller.post(URL, wide, "text/csv")
    assert [(d["row"], d["column"]) for d in response.json()["defects"]] == [(1, "financial")]
    # The same held to the scope when the columns are named in Chinese.
    chinese = "供电所编码,月份,财务绩效指数,安全生产\nF1,2026-10,90,80\nX1,2026-10,,80\n"
    response = caller.post(URL, chinese, "text/csv")
    assert response.status_code == 422
    where = [(d["row"], d["column"], d["code"]) for d in response.json()["defects"]]
    assert where == [
        (1, "financial", "indicator_not_allowed"),
        (3, "station_code", "station_not_in_company"),
    ]
    assert not IndicatorValue.objects.exists()


def test_the_same_batch_twice_records_once(caller):
    first = caller.post_json(TWO)
    second = caller.post_json(TWO)
    assert (first.status_code, second.status_code) == (201, 201)
    replay_fields = {"replayed", "notices"}
    assert {k: v for k, v in second.json().items() if k not in replay_fields} == {
        k: v for k, v in first.json().items() if k not in replay_fields
    }
    assert (first.json()["replayed"], second.json()["replayed"]) == (False, True)
    assert second["Idempotent-Replayed"] == "true"
    assert ImportBatch.objects.count() == 1 and Submission.objects.count() == 1


def test_an_idempotency_key_wins_over_the_content(caller):
    first = caller.post_json(TWO, **{"Idempotency-Key": "oct-run-1"})
    changed = [dict(TWO[0], value=50)]
    again = caller.post_json(changed, **{"Idempotency-Key": "oct-run-1"})
    assert first.status_code == 201
    assert again.status_code == 422
    assert "Idempotency-Key" in again.json()["detail"]
    new_key = caller.post_json(changed, **{"Idempotency-Key": "oct-run-2"})
    assert new_key.status_code == 201
    assert ImportBatch.objects.count() == 2


def test_a_large_batch_answers_202_with_the_job(caller, settings):
    settings.API_SYNC_MAX_VALUES = 10
    response = caller.post_json(month_values())
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in {"queued", "validating", "importing", "done"}
    polled = caller.get(f"/api/v1/imports/{job['id']}/")
    assert polled.status_code == 200
    assert polled.json()["id"] == job["id"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"values": []}', "application/json", 400),
        ('{"values": [1, 2]}', "application/json", 422),
        ("[]", "application/json", 400),
        ("a=b", "application/x-www-form-urlencoded", 415),
        ("", "text/csv", 400),
        ("\x00\x01binary", "text/csv", 422),
        (
            "PK\x03\x04not really",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            422,
        ),
    ],
)
def test_bad_bodies_get_a_json_4xx(caller, body, content_type, status):
    response = caller.post(URL, body, content_type)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_huge_body_is_refused_before_it_is_read(caller, settings):
    settings.API_MAX_BODY_BYTES = 65536
    response = caller.post(URL, "x" * 70000, "text/csv")
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 65536


def test_a_chunked_body_is_refused_in_json(caller):
    response = caller.client.post(
        URL,
        "x",
        content_type="text/csv",
        headers={"Authorization": f"Bearer {caller.token}", "Transfer-Encoding": "chunked"},
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]


def test_no_token_a_wrong_token_and_a_revoked_token(issued):
    client = Client(enforce_csrf_checks=True)
    body = json.dumps({"values": TWO})
    assert client.post(URL, body, content_type="application/json").status_code == 401
    wrong = {"Authorization": "Bearer fm_abc_def"}
    response = client.post(URL, body, content_type="application/json", headers=wrong)
    assert response.status_code == 401 and response.json()["detail"]
    revoke_token(issued.token)
    good = {"Authorization": f"Bearer {issued.plaintext}"}
    assert client.get("/api/v1/stations/", headers=good).status_code == 401


def test_a_logged_in_user_reads_but_does_not_send(feed_company, client):
    client.force_login(user_with_role("station_staff", station=Station.objects.get(code="F1")))
    assert client.get("/api/v1/stations/").status_code == 200
    assert client.get("/api/v1/imports/").status_code == 403  # the imports page is admins'
    client.force_login(user_with_role("admin"))
    assert client.get("/api/v1/imports/").status_code == 200
    response = client.post(URL, json.dumps({"values": TWO}), content_type="application/json")
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_the_rate_limit_is_per_token(caller, settings):
    settings.API_RATE_LIMIT = "3/minute"
    statuses = [caller.get("/api/v1/stations/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def _raw(caller, text: bytes):
    return caller.post(URL, text, "application/json")


def test_a_lone_surrogate_escape_is_a_clear_refusal_not_a_500(caller):
    body = (
        b'{"values": [{"station_code": "\\ud800", "period": "' + MONTH.encode()
        + b'", "indicator_code": "safety", "value": 5}]}'
    )  # fmt: skip
    response = _raw(caller, body)
    assert response.status_code == 400, response.content
    assert "\\ud800" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_a_json_body_with_a_byte_order_mark_is_read(caller):
    body = "\ufeff" + json.dumps({"values": TWO})
    response = _raw(caller, body.encode("utf-8"))
    assert response.status_code == 201, response.content


def test_a_key_given_twice_in_one_value_is_refused_not_silently_the_last(caller):
    body = (
        '{"values": [{"station_code": "F1", "period": "' + MONTH
        + '", "indicator_code": "safety", "value": 1, "value": 99}]}'
    )  # fmt: skip
    response = _raw(caller, body.encode())
    assert response.status_code == 400, response.content
    assert "value" in response.json()["detail"]
    assert not IndicatorValue.objects.exists()


def test_deeply_nested_json_is_a_clear_refusal_not_a_500(caller):
    deep = "[" * 100_000 + "]" * 100_000
    for body in (deep, '{"values": ' + deep + "}"):
        response = _raw(caller, body.encode())
        assert response.status_code == 400, response.content[:200]
        assert response.json()["detail"]


@pytest.mark.parametrize(
    "odd",
    [
        {},
        {"station_code": None, "period": None, "indicator_code": None, "value": None},
        {"station": "F2", "month": MONTH, "indicator": "safety", "val": 1},
    ],
)
def test_a_value_object_without_the_keys_is_a_defect_not_silently_dropped(caller, odd):
    """Written as a blank CSV line, such an object vanished and the batch was accepted
    with one value less than sent."""
    response = _raw(caller, json.dumps({"values": [TWO[0], odd]}).encode())
    assert response.status_code == 422, response.content
    defects = response.json()["defects"]
    assert [d["row"] for d in defects] == [2]
    assert not IndicatorValue.objects.exists()


def test_a_session_post_without_csrf_is_refused_in_the_sites_language(feed_company):
    """DRF's "CSRF Failed: CSRF cookie not set." was shown as is, in English."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role("admin"))
    response = client.post(URL, json.dumps({"values": TWO}), content_type="application/json")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "CSRF Failed" not in detail and "API" in detail
