"""Reading the organisation tree: group → province … → company (the grading unit) →
county → station. The units above companies are few (hundreds at most), so the tree is
read whole and walked in Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stations.models import Company, OrgUnit


def units_up(parents: Mapping[int, int | None], unit_id: int | None) -> list[int]:
    """``unit_id`` and every unit above it, nearest first ([] for None), from the units'
    parents (id → parent id); a circle, refused on saving, stops the walk."""
    chain: list[int] = []
    while unit_id is not None and unit_id in parents and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents[unit_id]
    return chain


def unit_path(unit_id: int | None) -> list[OrgUnit]:
    """The units from the root down to ``unit_id`` (inclusive); [] for None."""
    if unit_id is None:
        return []
    by_id = {unit.pk: unit for unit in OrgUnit.objects.all()}
    parents = {pk: unit.parent_id for pk, unit in by_id.items()}
    return [by_id[pk] for pk in reversed(units_up(parents, unit_id))]


def company_path(company: Company) -> list[OrgUnit]:
    """The units above a company, root first (its breadcrumbs without itself)."""
    return unit_path(company.parent_id)


def ancestor_unit_ids(unit_ids: Iterable[int | None]) -> set[int]:
    """The given units and every unit above them (None ignored)."""
    ids = [pk for pk in unit_ids if pk is not None]
    if not ids:
        return set()
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    return {above for pk in ids for above in units_up(parents, pk)}


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
