"""Import jobs (indicators.jobs): idempotent, re-sent by the beat sweep when left behind,
failed with a clear message when another import keeps the month locked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

import indicators.jobqueue
import indicators.jobs
import indicators.services
from audit.models import AuditEntry
from indicators.jobs import MAX_ATTEMPTS, enqueue_pending_imports, run_import_job, submit_import
from indicators.models import ImportBatch, ImportStatus, IndicatorValue
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

GOOD = "station_code,period,indicator_code,value\nS1,2026-05,safety,90\nS2,2026-05,safety,80\n"


@pytest.fixture
def queued(three_stations, django_capture_on_commit_callbacks):
    """A job uploaded in English whose task has not been sent."""
    file = SimpleUploadedFile("may.csv", GOOD.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        return submit_import(upload=file, user=user_with_role("admin"), language="en")


def test_a_job_run_twice_loads_once(queued):
    assert run_import_job(queued.pk) == "done"
    assert run_import_job(queued.pk) == "done"
    assert IndicatorValue.objects.filter(batch=queued).count() == 2
    assert AuditEntry.objects.filter(action="import.loaded").count() == 1
    queued.refresh_from_db()
    assert queued.attempts == 1 and queued.upload.name == ""


def test_the_sweep_sends_again_a_job_that_never_reached_a_worker(queued):
    later = timezone.now() + indicators.jobqueue.RESEND_UNSENT_AFTER + timedelta(seconds=1)
    assert enqueue_pending_imports(now=timezone.now()) == 0, "too early to re-send"
    assert enqueue_pending_imports(now=later) == 1  # eager: the job runs here
    queued.refresh_from_db()
    assert (queued.status, queued.value_count) == ("done", 2)


def test_the_sweep_sends_again_a_job_whose_worker_died(queued, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, minutes=10)
    ImportBatch.objects.filter(pk=queued.pk).update(
        status=ImportStatus.IMPORTING, started_at=long_ago, enqueued_at=long_ago, attempts=1
    )
    assert enqueue_pending_imports() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("done", 2)


def test_the_sweep_sends_again_within_a_lease_a_job_whose_heartbeat_stopped(queued, settings):
    """A worker killed mid-import: the job is sent again once its heartbeat is a lease old
    (60 s), not after the task time limit (before: 20 minutes); a job whose worker was
    seen within the lease is left to it, by the sweep and by a second delivery alike."""
    lease = timedelta(seconds=settings.JOB_LEASE_SECONDS)
    now = timezone.now()
    working = ImportBatch.objects.filter(pk=queued.pk)
    working.update(
        status=ImportStatus.IMPORTING,
        started_at=now - timedelta(seconds=90),
        heartbeat_at=now - lease + timedelta(seconds=5),
        enqueued_at=now - timedelta(seconds=90),
        attempts=1,
    )
    assert enqueue_pending_imports(now=now) == 0, "its worker was seen within the lease"
    assert run_import_job(queued.pk) == "importing", "a live worker's job is not taken over"
    assert Path(queued.upload.path).exists(), "nor is its file deleted"

    working.update(heartbeat_at=now - lease - timedelta(seconds=1))
    assert enqueue_pending_imports(now=now) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.value_count) == ("done", 2, 2)


def test_the_sweep_gives_up_after_the_last_attempt_and_deletes_the_file(queued, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, minutes=10)
    ImportBatch.objects.filter(pk=queued.pk).update(
        status=ImportStatus.VALIDATING, started_at=long_ago, attempts=MAX_ATTEMPTS
    )
    stored = Path(queued.upload.path)
    assert enqueue_pending_imports() == 0
    queued.refresh_from_db()
    assert (queued.status, queued.error) == ("failed", f"Gave up after {MAX_ATTEMPTS} attempts.")
    assert queued.upload.name == "" and not stored.exists()


class Deadlock(Exception):
    sqlstate = "40P01"


def test_a_job_that_keeps_meeting_another_import_fails_with_a_clear_message(queued, monkeypatch):
    def conflict(company_id, periods):
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr(indicators.jobs, "lock_company_months", conflict)
    monkeypatch.setattr(indicators.services.time, "sleep", lambda seconds: None)
    assert run_import_job(queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.error == "Another import of the same month was running; try again."
    assert IndicatorValue.objects.count() == 0


def test_a_job_whose_file_is_gone_fails_with_the_reason(queued):
    Path(queued.upload.path).unlink()
    assert run_import_job(queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.error == "The uploaded file is no longer stored; upload it again."
