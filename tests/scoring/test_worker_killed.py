"""Fault test: a real worker is killed (kill -9) in the middle of a run; another worker
and the sweep finish the run, exactly once, well within two minutes.

Needs PostgreSQL and TEST_REDIS_URL (as tests/scoring/test_worker.py). The workers are
subprocesses on the test database, so the test commits its data (transaction=True).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from scoring import services
from scoring.models import RunStatus, ScoreRun, StationScore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
#: The test's own lease: the worker renews every second, a silent run is lost after 4 s.
LEASE_SECONDS = 4
#: A test timeout, not a speed assertion: the product's bound is 2 minutes.
DEADLINE_SECONDS = 120

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def worker_environment(redis_url: str) -> dict[str, str]:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(ROOT),
    }


def start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """A worker in its own process group, so that kill -9 takes all of it."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


def wait_until(condition, what: str, timeout: float = DEADLINE_SECONDS, every=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if every:
            every()
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_a_run_whose_worker_was_killed_is_finished_once(redis_app, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the workers need a database they can share: PostgreSQL")
    settings.JOB_LEASE_SECONDS = LEASE_SECONDS
    environment = worker_environment(redis_app.conf.broker_url)
    marker = tmp_path / "scoring-started"
    call_command("import_stations", str(EXAMPLES / "stations.csv"))
    call_command("set_weights", str(EXAMPLES / "weights.csv"), "--effective-from", "2026-01")

    slow = start(
        [sys.executable, "-m", "tests.scoring.slow_worker"],
        {**environment, "SLOW_WORKER_MARKER": str(marker), "SLOW_WORKER_SECONDS": "600"},
        tmp_path / "slow-worker.log",
    )
    replacement = None
    try:
        call_command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
        wait_until(marker.exists, "the first worker started scoring", timeout=60)
        kill_group(slow)  # kill -9, mid-run
        [run] = ScoreRun.objects.all()
        assert (run.status, run.attempts) == (RunStatus.RUNNING, 1)

        replacement = start(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"],
            environment,
            tmp_path / "worker.log",
        )
        # The beat job's sweep, every half second here (beat: every 30 s).
        wait_until(
            lambda: ScoreRun.objects.get().status == RunStatus.DONE,
            "the killed worker's run finished",
            every=services.enqueue_pending_runs,
        )
    finally:
        kill_group(slow)
        if replacement is not None:
            kill_group(replacement, signal.SIGTERM)

    [run] = ScoreRun.objects.all()
    assert (run.status, run.attempts, run.is_current, run.error) == (RunStatus.DONE, 2, True, "")
    assert StationScore.objects.count() == run.station_count == 5
    assert StationScore.objects.filter(run=run).count() == 5
