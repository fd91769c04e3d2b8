"""A real Celery worker, consuming from a real Redis, recomputes a month.

Needs TEST_REDIS_URL (make test sets it when Redis answers; CI requires it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from config.celery import app
from scoring.models import RunStatus, ScoreRun, StationScore

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def reset_connections() -> None:
    """Drop pooled broker connections so the next publish uses the current broker_url."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_app():
    """The project's Celery app switched from eager mode to the test Redis."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis not reachable)")
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections()
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset_connections()


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
    assert grades == {
        "A01": "red",
        "A02": "orange",
        "B01": "orange",
        "B02": "yellow",
        "B03": "ungraded",
    }
