"""Reads for the audit trail page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from audit.visibility import visible_entries
from indicators.models import Indicator

#: The actor filter's value for entries made without a user (commands, tasks). Not a
#: valid user name, so no user can be mistaken for it.
SYSTEM_ACTOR = "(system)"


def audit_entries(
    user,
    *,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The entries ``user`` may read (``audit.visibility``), newest first; dates are whole
    local days, both ends included."""
    entries = visible_entries(AuditEntry.objects.order_by("-at", "-id"), user)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_name="" if actor == SYSTEM_ACTOR else actor)
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return entries


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def actor_names(user) -> list[str]:
    """Everyone who has an entry ``user`` may read, deleted users included (their name is
    kept); never the name of someone seen only in another company's entries."""
    entries = visible_entries(AuditEntry.objects.exclude(actor_name=""), user)
    names = entries.values_list("actor_name", flat=True)
    return list(names.order_by("actor_name").distinct())


def indicator_names() -> dict[str, str]:
    """Every indicator's name in the active language, by code (weights are kept by code)."""
    return {indicator.code: indicator.name for indicator in Indicator.objects.all()}
