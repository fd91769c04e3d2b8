"""The header's roles beside the viewer's name, read once per state of the data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language

from mapviews.pagecache import generation
from stations.roles import role_labels


def roles(request: HttpRequest) -> dict:
    """``stations.roles.role_labels``, kept under the data's generation (a change of the
    user's groups moves it on: ``mapviews.pagecache`` watches the auth app)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    seconds = settings.PAGE_BODY_SECONDS
    if not seconds:
        return {"user_roles": role_labels(user)}
    key = f"roles:{user.pk}:{generation()}:{get_language()}"
    labels = cache.get(key)
    if labels is None:
        labels = role_labels(user)
        cache.set(key, labels, seconds)
    return {"user_roles": labels}
