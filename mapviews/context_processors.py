"""The header's roles beside the viewer's name, the link to their station and to their
top unit (a province's page), read once per state of the data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from mapviews.pagecache import generation, kept_viewer
from stations.roles import role_labels


def roles(request: HttpRequest) -> dict:
    """``stations.roles.role_labels``, kept under the data's generation (a change of the
    user's groups moves it on: ``mapviews.pagecache`` watches the auth app), and
    ``own_station`` (``code`` and ``name``; empty without a station) from
    ``pagecache.kept_viewer``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    own = SimpleLazyObject(lambda: _own_station(kept_viewer(request)))
    unit = SimpleLazyObject(lambda: _top_unit(kept_viewer(request)))
    seconds = settings.PAGE_BODY_SECONDS
    if not seconds:
        return {"user_roles": role_labels(user), "own_station": own, "top_unit": unit}
    key = f"roles:{user.pk}:{generation()}:{get_language()}"
    labels = cache.get(key)
    if labels is None:
        labels = role_labels(user)
        cache.set(key, labels, seconds)
    return {"user_roles": labels, "own_station": own, "top_unit": unit}


def _top_unit(viewer) -> dict:
    """The header's link to the viewer's top unit (their unit, or a superuser's first
    root unit), read with their stamp: falsy without one."""
    if not viewer.top_unit_code:
        return {}
    return {"code": viewer.top_unit_code, "name": viewer.top_unit_name}


def _own_station(viewer) -> dict:
    """Falsy without a station."""
    if not viewer.own_station_code:
        return {}
    return {"code": viewer.own_station_code, "name": viewer.own_station_name}
