"""Celery tasks: take ids, call one service, retry on database trouble."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from scoring.services.recompute import MAX_ATTEMPTS
from scoring.services.recompute import enqueue_pending_runs as send_pending_runs
from scoring.services.runs import execute_run


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,  # MAX_ATTEMPTS runs in all
    acks_late=True,
)
def recompute_period(run_id: int) -> dict:
    """Score the company-month of run ``run_id`` (idempotent; see services.runs)."""
    outcome = execute_run(run_id)
    return {"run": outcome.run_id, "status": outcome.status, "unchanged": outcome.unchanged}


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
    acks_late=True,
)
def recompute_company(run_ids: list[int]) -> list[dict]:
    """Score one company's runs in turn (a task of the group a unit's method change
    sends; each run takes its own company-month lock). A retry skips the runs done."""
    return [recompute_period.run(run_id) for run_id in run_ids]


@shared_task
def enqueue_pending_runs() -> int:
    """Beat job: re-send runs that never reached a worker or whose worker died."""
    return send_pending_runs()
