"""Celery tasks: take ids, call one service, retry on database trouble."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from indicators import jobs


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=jobs.MAX_ATTEMPTS - 1,  # MAX_ATTEMPTS runs in all
    acks_late=True,
)
def import_file(batch_id: int) -> dict:
    """Check and write the uploaded file of import job ``batch_id`` (idempotent)."""
    return {"batch": batch_id, "status": jobs.run_import_job(batch_id)}


@shared_task
def enqueue_pending_imports() -> int:
    """Beat job: re-send import jobs that never reached a worker or whose worker died."""
    return jobs.enqueue_pending_imports()
