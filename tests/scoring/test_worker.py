"""A real Celery worker, consuming from a real Redis, recomputes a month.

Needs TEST_REDIS_URL (make test sets it when Redis answers; CI requires it); the
``redis_app`` fixture is in tests/conftest.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from scoring.models import RunStatus, ScoreRun, StationScore

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for_runs(timeout: float = 60.0) -> list[ScoreRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(ScoreRun.objects.all())
        if runs and all(run.status in (RunStatus.DONE, RunStatus.FAILED) for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"runs not finished: {list(ScoreRun.objects.values('pk', 'status'))}")


def test_real_worker_recomputes_an_imported_month(redis_app, tmp_path):
    call_command("import_stations", str(EXAMPLES / "stations.csv"))
    call_command("set_weights", str(EXAMPLES / "weights.csv"), "--effective-from", "2026-01")
    with start_worker(redis_app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        call_command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
        [run] = wait_for_runs()
    assert run.status == RunStatus.DONE, run.error
    assert run.enqueued_at is not None
    assert run.is_current
    grades = dict(StationScore.objects.filter(run=run).values_list("station__code", "grade"))
    # docs/scoring.md, "Worked example", under the default (absolute) method.
    assert grades == {
        "A01": "red",
        "A02": "blue",
        "B01": "green",
        "B02": "yellow",
        "B03": "ungraded",
    }
