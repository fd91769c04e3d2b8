"""Reads for the imports page (the indicators page, which shows weights, reads through
``scoring.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from indicators.models import (
    ImportBatch,
    ImportStatus,
    Indicator,
    IndicatorValue,
    ValueHistory,
)
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


def loaded_before(sha256: str, user) -> ImportBatch | None:
    """The latest import the user may see that loaded a file with this content and still
    stands (done, not rolled back)."""
    loaded = ImportBatch.objects.filter(
        file_sha256=sha256, status=ImportStatus.DONE, rolled_back_at__isnull=True
    )
    return batches_for(user, loaded).order_by("-created_at", "-id").first()


def indicator_reference() -> list[Indicator]:
    """The indicators a file may carry, in display order, retired ones last."""
    return list(Indicator.objects.order_by("-active", "display_order", "code"))


@dataclass(frozen=True)
class ImportChanges:
    """What a loaded import did to the stored values."""

    added: int  # values that were not stored before
    changed: int  # values stored before with another value
    same: int  # values stored before with the same value


def import_changes(batch: ImportBatch) -> ImportChanges | None:
    """Counted from the value history the import kept (None unless it is loaded)."""
    if batch.status != ImportStatus.DONE or batch.rolled_back_at is not None:
        return None
    replaced = ValueHistory.objects.filter(replaced_by=batch)
    same = replaced.filter(
        Exists(
            IndicatorValue.objects.filter(
                batch=batch,
                station_id=OuterRef("station_id"),
                period=OuterRef("period"),
                indicator_id=OuterRef("indicator_id"),
                value=OuterRef("value"),
            )
        )
    ).count()
    total = replaced.count()
    return ImportChanges(added=batch.value_count - total, changed=total - same, same=same)
