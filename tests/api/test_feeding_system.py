"""What a feeding system does with only docs/api.md, over real HTTP (the live server):
an admin makes its token, it sends a month for the company, polls the job, and reads the
month's scores and grades; sending the same batch again records nothing new."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from indicators.models import ImportBatch
from scoring.grades import Grade
from tests.api.conftest import MONTH, month_values

# live_server empties the database after each test; the seeded indicators come back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _call(url: str, token: str, body: bytes | None = None, **headers: str):
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _token_from_the_command(company_name: str) -> str:
    out = io.StringIO()
    call_command(
        "create_api_token",
        name="智慧配电物联网",
        company=company_name,
        indicators="all",
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue().strip()


def test_a_feeding_system_sends_a_month_and_reads_its_grades(feed_company, live_server, settings):
    settings.API_SYNC_MAX_VALUES = 0  # every batch is a background job: poll it
    token = _token_from_the_command(feed_company.name)
    api = f"{live_server.url}/api/v1"

    status, job = _call(f"{api}/values/", token, json.dumps({"values": month_values()}).encode())
    assert status == 202, job
    deadline = time.monotonic() + 60
    while not job["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        status, job = _call(f"{api}/imports/{job['id']}/", token)
    assert (job["status"], job["value_count"], job["months"]) == ("done", 60, [MONTH])

    status, month = _call(f"{api}/months/{MONTH}/", token)
    assert status == 200, month
    assert month["status"] == "done"
    assert month["method_version"] == 1 and month["weight_version"] == 1
    status, page = _call(f"{api}/months/{MONTH}/scores/", token)
    assert status == 200 and page["count"] == 6
    scores = page["results"]
    ranks = [row["rank"] for row in scores]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert {row["grade"] for row in scores} <= {grade.value for grade in Grade}
    assert all(row["score"] is not None and row["grade_label"] for row in scores)
    assert scores[0]["weight_version"] == 1 and scores[0]["method"]

    east = scores[0]["county"]["id"]
    status, county_page = _call(f"{api}/months/{MONTH}/scores/?county={east}", token)
    assert status == 200
    assert {row["county"]["id"] for row in county_page["results"]} == {east}

    status, history = _call(f"{api}/stations/F1/history/", token)
    assert status == 200 and [row["month"] for row in history["results"]] == [MONTH]


def test_the_same_batch_sent_twice_is_imported_once(feed_company, live_server):
    token = _token_from_the_command(feed_company.name)
    url = f"{live_server.url}/api/v1/values/"
    body = json.dumps({"values": month_values(stations=("F1", "F2"))}).encode()
    first = _call(url, token, body, **{"Idempotency-Key": "iot-2026-10-a"})
    second = _call(url, token, body, **{"Idempotency-Key": "iot-2026-10-a"})
    assert first[0] == second[0] == 201
    assert first[1]["id"] == second[1]["id"]
    assert ImportBatch.objects.count() == 1
    status, jobs = _call(f"{live_server.url}/api/v1/imports/?month={MONTH}", token)
    assert status == 200 and jobs["count"] == 1
