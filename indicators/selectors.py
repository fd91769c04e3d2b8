"""Reads for the imports page (the indicators page, which shows weights, reads through
``scoring.selectors``)."""

from __future__ import annotations

from indicators.models import ImportBatch
from stations.scope import scoped

#: How many of the latest imports the imports page lists.
RECENT_IMPORTS = 30


def batches_for(user, batches=None):
    """The imports the user may see: those of the companies of their scope, and their own
    uploads whose file named no company yet (queued, or refused before it did)."""
    batches = ImportBatch.objects.all() if batches is None else batches
    mine = batches.filter(company__isnull=True, created_by=user)
    return scoped(batches, user) | mine


def recent_imports(limit: int = RECENT_IMPORTS, *, user=None) -> list[ImportBatch]:
    """The latest imports of every company (of the user's scope, when given) and source,
    running ones included."""
    batches = ImportBatch.objects.select_related("company", "created_by")
    if user is not None:
        batches = batches_for(user, batches)
    return list(batches.order_by("-created_at", "-id")[:limit])
