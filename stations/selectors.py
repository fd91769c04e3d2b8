"""Reads of the station register: the header's station search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from stations.models import STATION_ORDER, Station
from stations.pinyin import search_text
from stations.scope import visible_company_ids
from stations.viewer import company_for_user

#: Most stations a search lists (type more to narrow it).
SEARCH_LIMIT = 10
#: Longest query read (a station's name is at most 100 characters).
QUERY_LENGTH = 100


def searchable_company_ids(user) -> set[int] | None:
    """The companies whose stations the user may find: ``stations.scope`` (None: every
    company, for superusers). A user placed nowhere yet finds the company the pages
    show them (``stations.viewer.company_for_user``), as every page does today; the one
    place to drop that when every user is placed."""
    visible = visible_company_ids(user)
    if visible is None or visible:
        return visible
    if not getattr(user, "is_authenticated", False):
        return set()
    company = company_for_user(user)
    return {company.pk} if company is not None else set()


@dataclass(frozen=True)
class StationFound:
    code: str
    name: str
    county: str
    active: bool


@dataclass(frozen=True)
class SearchResult:
    query: str
    stations: list[StationFound]
    #: More stations matched than are listed.
    more: bool


def search_stations(user, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """The stations the user may see whose code or pinyin ("meilin") or pinyin initials
    ("ml") starts with ``query``, or whose name contains it: at most ``limit``, the
    closest first (the code itself, then names starting with it, then other prefix
    matches, then the rest), each group by pinyin; active stations before switched-off
    ones. One query, by the prefix indexes of ``Station.Meta``."""
    # Printable characters only (a NUL cannot even be sent to PostgreSQL), spaces folded.
    text = " ".join("".join(c for c in query if c.isprintable()).split())[:QUERY_LENGTH]
    if not text:
        return SearchResult(query="", stations=[], more=False)
    companies = searchable_company_ids(user)
    stations = Station.objects.all()
    if companies is not None:
        stations = stations.filter(county__company_id__in=companies)
    key = search_text(text)
    codes = {text, text.upper()}
    prefix = Q(code__startswith=text) | Q(code__startswith=text.upper())
    if key:
        prefix |= Q(pinyin__startswith=key) | Q(initials__startswith=key)
    found = (
        stations.filter(prefix | Q(name__contains=text))
        .annotate(
            closeness=Case(
                When(code__in=codes, then=Value(0)),
                When(name__startswith=text, then=Value(1)),
                When(prefix, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("-active", "closeness", *STATION_ORDER)
        .values_list("code", "name", "county__name", "active")[: limit + 1]
    )
    rows = [StationFound(*row) for row in found]
    return SearchResult(query=text, stations=rows[:limit], more=len(rows) > limit)
