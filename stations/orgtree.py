"""Reading the organisation tree: group → province … → company (the grading unit) →
county → station. The units above companies are few (hundreds at most), so the tree is
read whole and walked in Python."""

from __future__ import annotations

from collections.abc import Iterable

from stations.models import Company, OrgUnit


def unit_path(unit_id: int | None) -> list[OrgUnit]:
    """The units from the root down to ``unit_id`` (inclusive); [] for None."""
    if unit_id is None:
        return []
    by_id = {unit.pk: unit for unit in OrgUnit.objects.all()}
    path: list[OrgUnit] = []
    seen: set[int] = set()
    current = by_id.get(unit_id)
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return list(reversed(path))


def company_path(company: Company) -> list[OrgUnit]:
    """The units above a company, root first (its breadcrumbs without itself)."""
    return unit_path(company.parent_id)


def ancestor_unit_ids(unit_ids: Iterable[int | None]) -> set[int]:
    """The given units and every unit above them (None ignored)."""
    stack = [pk for pk in unit_ids if pk is not None]
    if not stack:
        return set()
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    while stack:
        pk = stack.pop()
        if pk in found or pk not in parents:
            continue
        found.add(pk)
        if parents[pk] is not None:
            stack.append(parents[pk])
    return found


def subtree_unit_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def companies_under(unit_id: int) -> list[Company]:
    """Every company (grading unit) anywhere below ``unit_id``."""
    return list(Company.objects.filter(parent_id__in=subtree_unit_ids([unit_id])))
