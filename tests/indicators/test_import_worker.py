"""A web upload answers before its import runs; a real Celery worker, consuming from a
real Redis, loads it. Needs TEST_REDIS_URL (see tests/scoring/test_worker.py)."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import UNFINISHED, ImportBatch, IndicatorValue
from tests.factories import CountyFactory, StationFactory, user_with_role

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for_job(timeout: float = 60.0) -> ImportBatch:
    """The job once it has finished and its worker has deleted the stored file: the status
    is saved before the file goes, so waiting for the status alone races the worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.get()
        if batch.status not in UNFINISHED and not batch.upload.name:
            return batch
        time.sleep(0.2)
    state = ImportBatch.objects.values("status", "upload").get()
    raise AssertionError(f"job not finished with its file deleted: {state}")


def test_a_real_worker_loads_a_web_upload(redis_app, client):
    county = CountyFactory()
    StationFactory(code="W1", county=county)
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    text = "station_code,period,indicator_code,value\nW1,2026-05,safety,90\n"
    file = SimpleUploadedFile("may.csv", text.encode(), content_type="text/csv")
    with start_worker(redis_app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        response = client.post(reverse("imports:upload"), {"file": file})
        batch = wait_for_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[batch.pk])
    assert (batch.status, batch.value_count, batch.upload.name) == ("done", 1, "")
    assert batch.enqueued_at is not None
    assert IndicatorValue.objects.get().value == 90.0
    page = client.get(response["Location"]).content.decode()
    assert "Loaded 1 value of may.csv for 2026-05" in page
