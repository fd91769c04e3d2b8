"""Reads for the imports page (the indicators page, which shows weights, reads through
``scoring.selectors``)."""

from __future__ import annotations

from indicators.models import ImportBatch

#: How many of the latest imports the imports page lists.
RECENT_IMPORTS = 30


def recent_imports(limit: int = RECENT_IMPORTS) -> list[ImportBatch]:
    """The latest imports of every company and source, running ones included."""
    batches = ImportBatch.objects.select_related("company", "created_by")
    return list(batches.order_by("-created_at", "-id")[:limit])
