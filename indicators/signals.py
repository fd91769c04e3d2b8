"""What the indicators app tells the apps above it. It imports none of them: scoring
connects a receiver here in its ``AppConfig.ready`` to recompute the months."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from django.dispatch import Signal

from stations.models import Company

#: New indicator values were written for ``company`` in ``periods`` (first days of the
#: months), by ``user`` (None: a command or the demo). Sent inside the writing transaction,
#: after the values are stored; a receiver's error rolls the import back. Each receiver
#: returns the follow-up work it requested (scoring: one run per month).
values_changed = Signal()


class FollowUp(Protocol):
    """Work a receiver started for the new values; a command reports it in one line."""

    def refresh_from_db(self) -> None: ...

    def status_line(self) -> str: ...


def announce_values_changed(
    *, company: Company, periods: list[date], user: Any = None
) -> list[FollowUp]:
    """Send ``values_changed``; the follow-ups every receiver requested, in order."""
    responses = values_changed.send(sender=Company, company=company, periods=periods, user=user)
    return [item for _receiver, items in responses for item in items or []]
