"""What every page shows of the viewer's notifications: the unread count in the header."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from improvement.selectors.notices import unread_count


def notifications(request: HttpRequest) -> dict:
    """One count query, and only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
