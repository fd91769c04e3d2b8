"""The month close's rules (pure: no Django): when a review window ends, and whether a
station may still object. The services apply them; the pages say them.

A month's first published grades are *provisional* while its company holds new months
for review; stations may object until the window's last day (``review_until``), one open
objection per station and month; an administrator answers each and closes the month,
which makes its grades final.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum


class ObjectionRefusal(Enum):
    """Why a station may not object now (the service turns each into a message)."""

    CLOSED = "closed"
    WINDOW_OVER = "window_over"
    ALREADY_OPEN = "already_open"
    NOT_GRADED = "not_graded"
    NO_REASON = "no_reason"


#: A reason shorter than this says nothing an administrator can check.
MIN_REASON_LENGTH = 5


def review_end(opened: date, review_days: int) -> date:
    """The last day objections are taken: ``review_days`` days from the opening day
    (0: the opening day only)."""
    return opened + timedelta(days=max(review_days, 0))


def window_open(review_until: date | None, today: date) -> bool:
    """Whether objections are still taken today (until ``review_until``, inclusive)."""
    return review_until is None or today <= review_until


def objection_refusal(
    *,
    provisional: bool,
    review_until: date | None,
    today: date,
    has_open_objection: bool,
    graded: bool,
    reason: str,
) -> ObjectionRefusal | None:
    """None when the objection may be raised, else the first rule it breaks."""
    if not provisional:
        return ObjectionRefusal.CLOSED
    if not window_open(review_until, today):
        return ObjectionRefusal.WINDOW_OVER
    if not graded:
        return ObjectionRefusal.NOT_GRADED
    if has_open_objection:
        return ObjectionRefusal.ALREADY_OPEN
    if len(reason.strip()) < MIN_REASON_LENGTH:
        return ObjectionRefusal.NO_REASON
    return None
