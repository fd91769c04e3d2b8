"""What every page shows of the viewer's notifications: the unread count in the header."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from improvement.noticecount import kept_unread_count


def notifications(request: HttpRequest) -> dict:
    """Read only when a template shows it, and kept until notices change."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: kept_unread_count(user))}
