"""The header's roles beside the viewer's name, the link to their station and to their
top unit (a province's page), read once per state of the data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from mapviews.pagecache import generation, kept_viewer
from stations.roles import role_labels
from stations.viewer import COMPANY_PARAMETER, company_choices


def roles(request: HttpRequest) -> dict:
    """``stations.roles.role_labels``, kept under the data's generation (a change of the
    user's groups moves it on: ``mapviews.pagecache`` watches the auth app), and
    ``own_station`` (``code`` and ``name``; empty without a station) from
    ``pagecache.kept_viewer``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    own = SimpleLazyObject(lambda: _own_station(_viewer(request)))
    unit = SimpleLazyObject(lambda: _top_unit(_viewer(request)))
    chooser = {
        "company_choices": SimpleLazyObject(lambda: _company_choices(request)),
        "company_parameter": COMPANY_PARAMETER,
    }
    seconds = settings.PAGE_BODY_SECONDS
    if not seconds:
        return {"user_roles": role_labels(user), "own_station": own, "top_unit": unit, **chooser}
    key = f"roles:{user.pk}:{generation()}:{get_language()}"
    labels = cache.get(key)
    if labels is None:
        labels = role_labels(user)
        cache.set(key, labels, seconds)
    return {"user_roles": labels, "own_station": own, "top_unit": unit, **chooser}


def _top_unit(viewer) -> dict:
    """The header's link to the viewer's top unit (their unit, or a superuser's first
    root unit), read with their stamp: falsy without one."""
    if viewer is None or not viewer.top_unit_code:
        return {}
    return {"code": viewer.top_unit_code, "name": viewer.top_unit_name}


def _company_choices(request: HttpRequest) -> dict:
    """The header's company chooser: the companies the user may switch between (kept per
    state of the data) and the one shown; falsy when there is nothing to choose."""
    user = request.user
    seconds = settings.PAGE_BODY_SECONDS
    key = f"companies:{user.pk}:{generation()}"
    choices = cache.get(key) if seconds else None
    if choices is None:
        choices = company_choices(user)
        if seconds:
            cache.set(key, choices, seconds)
    viewer = _viewer(request) if choices else None
    if viewer is None:
        return {}
    return {"companies": choices, "shown": viewer.company_id}


def _viewer(request: HttpRequest):
    """``kept_viewer``, or None when the request cannot have one (a user placed nowhere,
    a bad ``?company=``: the page that says so has a header too)."""
    try:
        return kept_viewer(request)
    except (PermissionDenied, BadRequest, Http404):
        return None


def _own_station(viewer) -> dict:
    """Falsy without a station."""
    if viewer is None or not viewer.own_station_code:
        return {}
    return {"code": viewer.own_station_code, "name": viewer.own_station_name}
