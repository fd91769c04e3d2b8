"""Reads for the imports page (the indicators page, which shows weights, reads through
``scoring.selectors``)."""

from __future__ import annotations

from indicators.models import ImportBatch, ImportStatus, Indicator

#: How many of the latest imports the imports page lists.
RECENT_IMPORTS = 30


def recent_imports(limit: int = RECENT_IMPORTS) -> list[ImportBatch]:
    """The latest imports of every company and source, running ones included."""
    batches = ImportBatch.objects.select_related("company", "created_by")
    return list(batches.order_by("-created_at", "-id")[:limit])


def loaded_before(sha256: str) -> ImportBatch | None:
    """The latest import that loaded a file with this content and still stands (done,
    not rolled back)."""
    return (
        ImportBatch.objects.filter(
            file_sha256=sha256, status=ImportStatus.DONE, rolled_back_at__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )


def indicator_reference() -> list[Indicator]:
    """The indicators a file may carry, in display order, retired ones last."""
    return list(Indicator.objects.order_by("-active", "display_order", "code"))
