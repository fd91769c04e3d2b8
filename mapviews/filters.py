"""Filters that carry across the month pages: the month and county last chosen on the
map, the ranking, the matrix or the history stay chosen on the others.

The URL still wins: a page opened with ``?period=`` (history: ``?to=``) or ``?county=``
shows those, and the session remembers them (an empty ``county`` is "all counties" and
forgets the county). A page opened without them shows the remembered ones: they are put
into ``request.GET`` before the view reads it, so the kept page's key
(``mapviews.pagecache.body_key``) and ``scoring.viewer.chosen_month`` both see them. The
memory lasts as long as the login (``SESSION_COOKIE_AGE``) and is the viewer's company's
only: a remembered county is checked when it is chosen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from indicators.periods import format_period
from mapviews.pagecache import kept_viewer
from scoring.viewer import parse_id, parse_month
from stations.viewer import has_county

T = TypeVar("T")

#: The session key of the remembered month and county.
SESSION_KEY = "month_filters"


def remembered(request: HttpRequest) -> dict:
    """What the session remembers: ``period`` ("2026-10") and ``county`` (an id), each
    only when chosen, for the viewer's company (``company``)."""
    session = getattr(request, "session", None)
    memory = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(memory, dict):
        return {}
    if memory.get("company") != kept_viewer(request).company_id:
        return {}
    return memory


def carry_filters(request: HttpRequest, parameter: str = "period") -> None:
    """Remember the month (read from ``parameter``) and county the URL gives; fill in the
    remembered ones it does not give. A bad value is not remembered and left for the
    page to refuse in its own way (a 400 page, or JSON)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return
    memory = dict(remembered(request))
    before = dict(memory)
    company_id = kept_viewer(request).company_id
    query = request.GET.copy()
    if parameter in request.GET:
        good, month = _read(parse_month, request.GET[parameter])
        if good and month is None:
            memory.pop("period", None)
        elif good:
            memory["period"] = format_period(month)
    elif "period" in memory:
        query[parameter] = memory["period"]
    if "county" in request.GET:
        good, county_id = _read(parse_id, request.GET["county"])
        if good and county_id is None:
            memory.pop("county", None)
        elif good and county_id != memory.get("county") and _in_company(company_id, county_id):
            memory["county"] = county_id
    elif "county" in memory:
        query["county"] = str(memory["county"])
    if memory != before:
        memory["company"] = company_id
        request.session[SESSION_KEY] = memory
    request.GET = query


def _read(parse: Callable[[str], T], text: str) -> tuple[bool, T | None]:
    """Whether ``text`` is a value (or empty), and its value."""
    try:
        return True, parse(text)
    except BadRequest:
        return False, None


def _in_company(company_id: int | None, county_id: int | None) -> bool:
    return company_id is not None and county_id is not None and has_county(company_id, county_id)


def carries_filters(parameter: str = "period") -> Callable:
    """A month page's view decorator: ``carry_filters`` before the view runs."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            carry_filters(request, parameter)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
