"""Celery tasks of the stations app."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from stations.areas import shapes_digest
from stations.shapefiles import prepare_documents


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
)
def prepare_shapes(company_id: int) -> dict:
    """Build the company's map shapes and their documents for the current fingerprint,
    so that no page view pays for it (idempotent: a second run finds them built)."""
    digest = shapes_digest(company_id)
    parts = prepare_documents(company_id, digest)
    return {"company": company_id, "digest": digest, "documents": len(parts)}
