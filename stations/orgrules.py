"""The rules of the organisation tree, said once: the ``import_org`` file
(``stations.orgimport``) and the Django admin's forms (``stations.admin``) both ask here.

- A unit's or a company's code is made of the characters a station code may hold
  (``stations.codes``): it goes into addresses and file names the same way.
- One code names one thing: a unit, a company or a station, never two of them.
- Following parents upwards ends at a root: never back at where it started (a cycle).
- Units hang under units; companies hang under units; nothing hangs under a company
  (its counties and stations are its own, not part of this tree).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.utils.translation import gettext as _

from stations.models import Company, OrgMember, OrgUnit, Station

K = TypeVar("K", bound=Hashable)


def bad_code_message(code: str) -> str:
    return (
        _(
            "%r is not an organisation code: use letters (A–Z, a–z) and digits, then also "
            "“.”, “-” and “_”"
        )
        % code
    )


def cycle_from(start: K, parents: Mapping[K, K | None]) -> list[K] | None:
    """The circle that following ``parents`` from ``start`` runs into, starting at the
    first member met (``[a, b, c]``: a's parent is b, b's is c, c's is a); None when the
    walk ends at a root."""
    order: dict[K, int] = {}
    walk: list[K] = []
    current: K | None = start
    while current is not None and current not in order:
        order[current] = len(walk)
        walk.append(current)
        current = parents.get(current)
    if current is None:
        return None
    return walk[order[current] :]


def find_cycles(parents: Mapping[K, K | None]) -> list[list[K]]:
    """Every circle in ``parents`` once, each starting at its smallest member (by the
    order of ``parents``), in that order."""
    position = {key: index for index, key in enumerate(parents)}
    found: dict[frozenset[K], list[K]] = {}
    for key in parents:
        cycle = cycle_from(key, parents)
        if cycle is None or frozenset(cycle) in found:
            continue
        first = min(range(len(cycle)), key=lambda i: position.get(cycle[i], len(position)))
        found[frozenset(cycle)] = cycle[first:] + cycle[:first]
    return sorted(found.values(), key=lambda cycle: position.get(cycle[0], len(position)))


def circle_text(cycle: list[str]) -> str:
    """``ZJ → HZ → ZJ``: a circle of codes, each under the next."""
    return " → ".join([*cycle, cycle[0]])


def unit_parent_error(
    unit: K, parent: K | None, stored: Mapping[K, K | None], codes: Mapping[K, str]
) -> str | None:
    """Why ``unit`` cannot be put under ``parent``, given every unit's stored parent
    (``stored``) and code (``codes``); None when it can (the admin's check)."""
    if parent is None:
        return None
    cycle = cycle_from(unit, {**stored, unit: parent})
    if cycle is None:
        return None
    if cycle == [unit]:
        return _("a unit cannot be its own parent")
    return _("%(parent)s is below %(unit)s, so %(unit)s cannot go under it (%(circle)s)") % {
        "parent": codes[parent],
        "unit": codes[unit],
        "circle": circle_text([codes[key] for key in cycle]),
    }


def code_in_use(code: str, *, unit_id: int | None = None, company_id: int | None = None):
    """What else ``code`` already names (a unit, a company or a station other than the
    one being saved), as a message; None when it is free."""
    units = OrgUnit.objects.filter(code=code)
    unit = (units if unit_id is None else units.exclude(pk=unit_id)).first()
    if unit is not None:
        return _("%(code)s is the code of the unit “%(name)s”") % {"code": code, "name": unit}
    companies = Company.objects.filter(code=code)
    company = (companies if company_id is None else companies.exclude(pk=company_id)).first()
    if company is not None:
        return _("%(code)s is the code of the company “%(name)s”") % {
            "code": code,
            "name": company,
        }
    station = Station.objects.filter(code=code).first()
    if station is not None:
        return _("%(code)s is the code of the station “%(name)s”") % {
            "code": code,
            "name": station,
        }
    return None


def stored_unit_parents() -> dict[str, str | None]:
    """Every unit's parent as stored, by code."""
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    return {
        codes[pk]: (codes[parent] if parent is not None else None)
        for pk, parent in OrgUnit.objects.values_list("pk", "parent_id")
    }


def parent_outside_place(
    parent_id: int | None,
    *,
    stored_parent_id: int | None,
    is_new: bool,
    allowed: frozenset[int] | None,
    place: str,
) -> str | None:
    """Why an administrator may not hang a unit or a company under ``parent_id``; None when
    they may. ``allowed``: the units at and below their place (None: everywhere, a
    superuser). Keeping a row's stored parent is no move, so a city's administrator may
    rename their company though its parent (the province) is above them."""
    if allowed is None or parent_id in allowed:
        return None
    if not is_new and parent_id == stored_parent_id:
        return None
    if not allowed:
        return _(
            "You manage %(place)s, with no unit below it: its place in the organisation "
            "is changed by an administrator above it."
        ) % {"place": place}
    return _(
        "Choose a parent unit at or below %(place)s: you manage only that part of the organisation."
    ) % {"place": place}


def place_outside(
    company_id: int | None,
    unit_id: int | None,
    *,
    companies: frozenset[int] | None,
    units: frozenset[int] | None,
    place: str,
) -> str | None:
    """Why an administrator may not place a user in that company or unit; None when they
    may (``companies``/``units``: those of their place; None: everywhere)."""
    if companies is None or units is None:
        return None
    if (company_id is not None and company_id in companies) or (
        unit_id is not None and unit_id in units
    ):
        return None
    return _(
        "Place people only at or below %(place)s: you manage only that part of the organisation."
    ) % {"place": place}


def second_place_error(station: Station | None, company_id: int | None, unit_id: int | None):
    """Why a user at ``station`` may not also be placed in that company or unit; None when
    they may. Station staff belong to their station's company: a place in the organisation
    beside the station can only be that company (else they would act in a second city)."""
    if station is None or (company_id is None and unit_id is None):
        return None
    company = station.county.company
    if unit_id is None and company_id == company.pk:
        return None
    return _(
        "This user works at %(station)s of %(company)s: their place in the organisation can "
        "only be %(company)s, or none."
    ) % {"station": station.name, "company": company.name}


def staff_placed_elsewhere(stations, company: Company) -> str | None:
    """Why ``stations`` (a queryset) may not move to ``company``: some of their staff are
    placed in the tree too, somewhere other than ``company`` (``second_place_error``'s
    rule, which a move would break); None when none are."""
    clashes = (
        OrgMember.objects.filter(user__station_membership__station__in=stations)
        .exclude(company=company)
        .select_related("user")
        .order_by("user__username")
    )
    names = [member.user.get_username() for member in clashes[:6]]
    if not names:
        return None
    return _(
        "Staff of the stations moved are also placed elsewhere in the organisation "
        "(%(names)s): place them in %(company)s, or nowhere, first."
    ) % {"names": ", ".join(names[:5]) + (" …" if len(names) > 5 else ""), "company": company.name}
