"""The service that rolls a loaded import back as a batch: the values it replaced are
put back, the values it created are deleted, its months are recomputed (published months
then follow the usual re-grade rules) and the audit trail records it (``audit.signals``
sees the batch saved with ``rolled_back_at``).

Only the latest writer of its values can be rolled back: once a later import replaced
some of them, rolling the earlier one back would have to rewrite the later one's values,
so it is refused, naming the later imports (roll those back first). History is never
rewritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.locks import lock_company_months
from indicators.models import ImportBatch, ImportStatus, ValueHistory
from indicators.periods import parse_period
from indicators.services import retry_on_conflict, set_lock_timeout
from indicators.signals import FollowUp, announce_values_changed
from indicators.valuestore import restore_replaced

#: How many later imports a refusal names.
NAMED_LATER_IMPORTS = 5


@dataclass(frozen=True)
class RollbackEffects:
    """What a rollback would do: values put back as they were, values deleted."""

    restored: int
    deleted: int


def rollback_effects(batch: ImportBatch) -> RollbackEffects:
    restored = ValueHistory.objects.filter(replaced_by=batch).count()
    return RollbackEffects(restored=restored, deleted=batch.values.count() - restored)


class RollbackRefused(Exception):
    """The import cannot be rolled back; the message says why. Nothing was changed."""


def rollback_refusal(batch: ImportBatch) -> str | None:
    """Why ``batch`` cannot be rolled back now (None: it can)."""
    if batch.is_rolled_back:
        return _("%(file)s was already rolled back on %(when)s.") % {
            "file": batch.file_name,
            "when": timezone.localtime(batch.rolled_back_at).strftime("%Y-%m-%d %H:%M"),
        }
    if batch.status != ImportStatus.DONE or batch.company_id is None:
        return _("Only a loaded import can be rolled back; %(file)s was not loaded.") % {
            "file": batch.file_name
        }
    replaced = ValueHistory.objects.filter(batch=batch)
    if replaced.exists():
        later = (
            ImportBatch.objects.filter(previous_values__batch=batch)
            .distinct()
            .order_by("created_at", "pk")
        )
        names = ", ".join(
            f"{later_batch.file_name} (#{later_batch.pk})"
            for later_batch in later[:NAMED_LATER_IMPORTS]
        )
        return _(
            "%(file)s cannot be rolled back: %(count)d of its values were replaced since by "
            "later imports (%(later)s). Roll those back first."
        ) % {"file": batch.file_name, "count": replaced.count(), "later": names}
    return None


def rollback_import(*, batch: ImportBatch, user=None, reason: str = "") -> list[FollowUp]:
    """Roll ``batch`` back and request its months' recompute; returns the follow-ups
    (one recompute per month). Raises RollbackRefused (nothing changed)."""

    def roll_back() -> list[FollowUp]:
        with transaction.atomic():
            set_lock_timeout()
            periods = [parse_period(text) for text in batch.periods]
            if batch.company_id is not None:
                lock_company_months(batch.company_id, periods)
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            refusal = rollback_refusal(locked)
            if refusal:
                raise RollbackRefused(refusal)
            restore_replaced(locked.pk)
            locked.rolled_back_at = timezone.now()
            locked.rolled_back_by = user
            locked.rollback_reason = reason.strip()
            # Saved with these fields: the audit trail records the rollback.
            locked.save(update_fields=["rolled_back_at", "rolled_back_by", "rollback_reason"])
            assert locked.company is not None  # a loaded batch has its company
            return announce_values_changed(company=locked.company, periods=periods, user=user)

    runs = retry_on_conflict(roll_back)
    batch.refresh_from_db()
    return runs
