"""Celery tasks: take ids, call one service, retry on database and mail-server trouble."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from improvement.services import notices, regrade_notices, submission_notices

#: How a notice task runs: retried on database and mail-server trouble, with backoff,
#: acknowledged only once done (a lost worker's task is delivered again; both are
#: idempotent).
NOTICE_TASK = {
    "autoretry_for": (OperationalError, InterfaceError, *notices.MAIL_ERRORS),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 4,
    "acks_late": True,
}


@shared_task(**NOTICE_TASK)
def notify_grade_drops(run_id: int) -> dict:
    """Tell of the drops in run ``run_id``'s month (idempotent; see notices.notify_grade_drops)."""
    outcome = notices.notify_grade_drops(run_id=run_id)
    return {
        "run": run_id,
        "drops": outcome.events,
        "created": outcome.created,
        "emailed": outcome.emailed,
    }


@shared_task(**NOTICE_TASK)
def notify_regrade(run_id: int) -> dict:
    """Tell of the colour changes of re-grade ``run_id`` (idempotent; see
    regrade_notices.notify_regrade)."""
    outcome = regrade_notices.notify_regrade(run_id=run_id)
    return {
        "run": run_id,
        "changes": outcome.events,
        "created": outcome.created,
        "emailed": outcome.emailed,
    }


@shared_task(**NOTICE_TASK)
def send_due_reminders() -> int:
    """Daily (beat): the reminders of last month's missing data once its due day has
    passed (see submission_notices.send_due_reminders)."""
    return submission_notices.send_due_reminders(timezone.localdate())
