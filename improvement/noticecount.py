"""The header's unread count, kept per user until notices change.

Every page shows it, so it is read from the cache under ``NOTICES``, a number every
write of notices moves on: a saved or deleted notice (signals, ``connect``) and the bulk
writes and updates, which call ``notices_changed``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from improvement.models import Notification
from improvement.selectors.notices import unread_count
from mapviews.pagecache import Generation

NOTICES = Generation("improvement:notices")


def notices_changed() -> None:
    """For writes that send no model signal (``bulk_create``, ``QuerySet.update``)."""
    NOTICES.changed()


def kept_unread_count(user) -> int:
    seconds = settings.PAGE_BODY_SECONDS
    if not seconds:
        return unread_count(user)
    key = f"unread:{user.pk}:{NOTICES.current()}"
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, seconds)
    return count


def connect() -> None:
    """Called once, from ``ImprovementConfig.ready``."""
    for signal in (post_save, post_delete):
        signal.connect(NOTICES.changed, sender=Notification, dispatch_uid=f"notices-{id(signal)}")
