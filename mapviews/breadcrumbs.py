"""Breadcrumbs on every level: 浙江 › 宁波 › 鄞州区 › 梅林供电所.

A level is a link only when the viewer may open it (a unit above their own is named,
not linked). The trail is part of a kept page body, so what it depends on beyond the
body's key, the viewer's unit, is read with the viewer's kept stamp (``viewer_unit``) and
put in the body's scope (``trail_scope``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from mapviews.pagecache import kept_viewer
from stations.models import Company, County, OrgUnit, Station
from stations.orgtree import company_path, unit_path
from stations.unitscope import visible_unit_ids


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str = ""  # empty: shown as text (the current page, or a level not open to them)


def viewer_unit(request: HttpRequest) -> int | None:
    """The viewer's unit (``OrgMember.unit``; None for a superuser, who sees every unit),
    read with their kept stamp (``pagecache.kept_viewer``): no query of its own."""
    user = request.user
    if not user.is_authenticated or user.is_superuser:
        return None
    return kept_viewer(request).top_unit_id


def trail_scope(request: HttpRequest) -> tuple:
    """What a kept body with breadcrumbs adds to its key: the viewer's unit."""
    return ("unit", viewer_unit(request))


def unit_url(unit: OrgUnit) -> str:
    return reverse("mapviews:unit", args=[unit.code])


def company_url(company: Company) -> str:
    """A company's map (the page a unit's child company opens)."""
    return reverse("mapviews:map") + f"?company={company.pk}"


def _unit_crumbs(request: HttpRequest, path: list[OrgUnit]) -> list[Crumb]:
    visible = visible_unit_ids(request.user, viewer_unit(request)) if path else set()
    return [
        Crumb(unit.name, unit_url(unit) if visible is None or unit.pk in visible else "")
        for unit in path
    ]


def unit_trail(request: HttpRequest, unit: OrgUnit) -> list[Crumb]:
    """A unit's page: the units above it, then itself (not a link)."""
    path = unit_path(unit.pk)
    return [*_unit_crumbs(request, path[:-1]), Crumb(unit.name)]


def company_trail(
    request: HttpRequest,
    company: Company,
    county: County | None = None,
    station: Station | None = None,
) -> list[Crumb]:
    """The company map (with a county) or a station page: the units above the company,
    the company, the county, the station; the last level is the current page."""
    levels = [
        *_unit_crumbs(request, company_path(company)),
        Crumb(company.name, company_url(company)),
    ]
    if county is not None:
        levels.append(Crumb(county.name, f"{company_url(company)}&county={county.pk}"))
    if station is not None:
        levels.append(Crumb(station.name))
    last = levels[-1]
    levels[-1] = Crumb(last.name)
    return levels
