"""Reads of the grade-drop notices."""

from __future__ import annotations

from improvement.models import Notification


def notices_for(user):
    """The user's notices, newest first."""
    return Notification.objects.filter(user=user).select_related("station", "indicator")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()
