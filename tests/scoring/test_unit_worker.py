"""Real Celery workers on Redis re-grade a unit's companies: the group of per-company
tasks a unit's method change sends (needs TEST_REDIS_URL, as tests/scoring/test_worker.py)."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from scoring.models import RunStatus, RunTrigger, ScoreRun
from scoring.services import publish_unit_weights
from tests.scoring.test_unit_methods import OCTOBER, make_province, safety_first

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for_unit_runs(count: int, timeout: float = 60.0) -> list[ScoreRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(ScoreRun.objects.filter(trigger=RunTrigger.UNIT).order_by("company_id"))
        if len(runs) >= count and all(
            run.status in (RunStatus.DONE, RunStatus.FAILED) for run in runs
        ):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"runs not finished: {list(ScoreRun.objects.values('pk', 'status'))}")


def test_a_real_worker_regrades_the_inheriting_companies(redis_app):
    unit, (ningbo, wenzhou, _taizhou) = make_province()
    with start_worker(redis_app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="safety year"
        )
        runs = wait_for_unit_runs(2)
    assert [(run.company, run.period) for run in runs] == [(ningbo, OCTOBER), (wenzhou, OCTOBER)]
    for run in runs:
        assert run.status == RunStatus.DONE, run.error
        assert run.weight_set == version
        assert run.enqueued_at is not None
        assert not run.is_current  # October was final: the re-grade waits
