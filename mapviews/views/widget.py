"""The homepage widget: a small page for every employee's intranet portal, and its map.

Every viewer sees the same map but for the outline of their own station, and the
portal shows it on every page view, so the two parts are served apart:

- the page (``widget``) is small and rendered per request: it carries the
  Content-Security-Policy nonce that plotly.js's style element needs, so it can be
  neither cached nor answered 304 (a cached page would keep an old nonce under a new
  policy); it reads the legend's counts in SQL and builds no map;
- the map (``widget_map``) is JSON the page fetches: the shared figure is cached as
  ready text, the viewer's outline is added as a separate small trace, and the answer
  carries an ETag and Last-Modified, so a repeat view is a 304 without building
  anything.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import NamedTuple

from csp.constants import SELF
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from indicators.periods import format_period
from mapviews import answers, selectors
from mapviews.gzipjoin import Piece, piece
from mapviews.pagecache import kept_viewer
from mapviews.staticfinders import plotly_static_path
from mapviews.views.home import MAP_CACHE_SECONDS, _shared_map_data, map_inputs, own_outline
from scoring.monthstate import is_provisional
from scoring.selectors import latest_sensitivity
from scoring.viewer import MonthChoice, chosen_month, lazy_regrade_note, parse_id, parse_month


def _allowed(request: HttpRequest) -> bool:
    return request.user.is_authenticated or settings.WIDGET_PUBLIC


#: Stands for the CSP nonce in a cached page: every answer puts its own nonce in its place
#: (a random value per process, so no text shown on the page can contain it).
NONCE_SLOT = secrets.token_urlsafe(18)
#: How long a rendered page (and what the map's ETag is made of) is kept. A new published
#: run is a new key at once; a station added, retired, renamed or redrawn without one
#: shows within this time.
PAGE_CACHE_SECONDS = 60


@login_not_required
@require_GET
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """The compact view for the intranet home page's floating window.

    The page is rendered once per company, month, language and own station, with a slot
    for the nonce, and kept as text: a request reads its key (the viewer's station and
    company, a stamp of the published runs) and fills in a fresh nonce.

    Framing is allowed only from ``WIDGET_FRAME_ANCESTORS`` (a CSP
    ``frame-ancestors`` list); with none configured the page keeps
    ``X-Frame-Options: DENY`` like every other page.
    """
    if not _allowed(request):
        return frame_policy(render(request, TEMPLATE, {"allowed": False}))
    key = _page_key(request)
    kept = cache.get(key)
    if kept is None:
        # The slot is kept with the page: another process, with another slot, fills it.
        kept = (NONCE_SLOT, render_to_string(TEMPLATE, _page_context(request), request))
        cache.set(key, kept, PAGE_CACHE_SECONDS)
    slot, page = kept
    page = page.replace(f'nonce="{slot}"', f'nonce="{request.csp_nonce}"')
    return frame_policy(HttpResponse(page))


TEMPLATE = "mapviews/widget.html"


def _page_key(request: HttpRequest) -> str:
    """Everything the page shows depends on: a bad month or county is refused here."""
    return "widget-page:" + _viewer_key(request)[0]


def _viewer_key(request: HttpRequest) -> tuple[str, int | None]:
    """The month and county asked for (a bad one is refused here), the viewer's company
    and station, a stamp of its published runs (kept: ``pagecache.kept_viewer``), and
    the language; and the viewer's station."""
    period = parse_month(request.GET.get("period", ""))
    county_id = parse_id(request.GET.get("county"))
    viewer = kept_viewer(request)
    parts = (viewer.company_id, viewer.published, period, county_id)
    own = viewer.own_station_id
    return f"{_digest(parts)}:{own or 0}:{get_language()}", own


def _digest(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _page_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context: dict = {
        "allowed": True,
        "plotly_js": plotly_static_path(),
        "csp_nonce": NONCE_SLOT,
        "period": format_period(month.period) if month.period else None,
        "regrade": lazy_regrade_note(month),
        "provisional": is_provisional(month.run),
    }
    if month.run is not None:
        company_id = month.company.pk
        counts = selectors.month_grade_counts(company_id, month.period, month.county_id)
        context["legend"] = selectors.legend(counts)
        context["map_url"] = _map_url(month)
        context["own_row"] = selectors.own_score(request.user, company_id, month.period)
    return context


def frame_policy(response: HttpResponse) -> HttpResponse:
    """The widget's one exception to ``frame-ancestors 'none'`` (CONTENT_SECURITY_POLICY).

    Sets what django-csp's ``csp_replace`` decorator sets, but reads the setting per
    request; with no origins the page keeps the site-wide policy and X-Frame-Options.
    """
    origins = settings.WIDGET_FRAME_ANCESTORS
    if origins:
        response._csp_replace = {"frame-ancestors": [SELF, *origins]}
    else:
        response["X-Frame-Options"] = "DENY"
    return response


def _map_url(month: MonthChoice) -> str:
    query = f"?period={format_period(month.period)}"
    if month.county_id:
        query += f"&county={month.county_id}"
    return reverse("mapviews:widget_map") + query


@login_not_required
@require_GET
def widget_map(request: HttpRequest) -> HttpResponse:
    """The widget's map as JSON (``{"figure": …, "own": outline or null}``), 304 to a
    viewer who has it; refusals are answered in JSON like the month data's."""
    if not _allowed(request):
        return JsonResponse({"error": _("Log in to see the map")}, status=403)
    try:
        key, own = _viewer_key(request)
        key = "widget-version:" + key
        version = cache.get(key)
        month = chosen_month(request) if version is None else None
    except BadRequest as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    if month is not None and month.run is None:
        return JsonResponse({"error": _("This month has no scores.")}, status=404)
    if version is None:
        version = _version(month)
        cache.set(key, version, PAGE_CACHE_SECONDS)
    # Weak: the same map is sent plain or gzipped (with a random name in its header).
    etag = 'W/"' + hashlib.sha256(f"{version.key}:{own or 0}".encode()).hexdigest()[:32] + '"'
    answer = get_conditional_response(
        request, etag=etag, last_modified=version.modified
    ) or answers.joined(
        request,
        _map_json(functools.cache(lambda: month or chosen_month(request)), version, own),
        content_type="application/json",
    )
    answer.headers["ETag"] = etag
    if version.modified is not None:
        answer.headers["Last-Modified"] = http_date(version.modified)
    # The viewer's browser may keep it, asking each time whether it changed; no shared
    # cache may (the outline is the viewer's own).
    patch_cache_control(answer, private=True, no_cache=True)
    return answer


class _Version(NamedTuple):
    """What the widget's map depends on: its cache key, and when it last changed."""

    key: str
    #: Seconds since the epoch (Last-Modified has whole seconds).
    modified: int | None
    #: The shapes' fingerprint.
    digest: str


def _version(month: MonthChoice) -> _Version:
    """The month's published run and its sensitivity marks, the previous month's run
    (the hover's changes), the shapes, the language and the county: a new run (new
    data or a re-grade) or new marks also move Last-Modified."""
    inputs = map_inputs(month)
    sensitivity = inputs.sensitivity
    stamps = [month.run.published_at, sensitivity.created_at if sensitivity else None]
    return _Version(
        key="widget-map:" + ":".join(str(part) for part in inputs.parts),
        modified=max((int(stamp.timestamp()) for stamp in stamps if stamp), default=None),
        digest=inputs.digest,
    )


def _map_json(
    load_month: Callable[[], MonthChoice], version: _Version, own: int | None
) -> list[str | Piece]:
    """The shared figure, cached as JSON compressed once (``gzipjoin.Piece``), and the
    viewer's outline beside it (cached per station: both are only joined, never parsed
    or rendered again)."""
    figure = cache.get(version.key)
    if figure is None:
        month = load_month()
        sensitivity = latest_sensitivity(month.run, with_results=False)
        data = _shared_map_data(month, version.digest, True, sensitivity)
        text = json.dumps(data["figure"], cls=DjangoJSONEncoder, separators=(",", ":"))
        figure = piece(text.encode())
        cache.set(version.key, figure, MAP_CACHE_SECONDS)
    return ['{"figure":', figure, ',"own":' + _outline_json(load_month, version, own) + "}"]


def _outline_json(load_month: Callable[[], MonthChoice], version: _Version, own: int | None) -> str:
    """The viewer's station outline as JSON ("null" without a station on this map)."""
    if own is None:
        return "null"
    key = f"{version.key}:own:{own}"
    outline = cache.get(key)
    if outline is None:
        month = load_month()
        trace = own_outline(month.company.pk, version.digest, own, month.county_id)
        outline = json.dumps(trace, separators=(",", ":")) if trace else "null"
        cache.set(key, outline, MAP_CACHE_SECONDS)
    return outline
