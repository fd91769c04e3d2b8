"""Which weight and method versions grade a company's month, and where they come from.

The one place that answers "the version in force for this company and month" (scoring,
previews, the pages and the re-grades all ask here, through
``scoring.selectors.effective_weight_set`` and ``effective_method``). For each kind
(weights, grading rules: ``WeightSet``, ``MethodVersion``), separately:

1. a company that uses its own method (``MethodOverride``): its own version in force;
2. otherwise the version in force of the nearest unit above it that has one for the
   month (a city unit's before its province's);
3. otherwise its own version in force (today's rule: every company has version 1 of
   both from its creation), and with none the default method (weights: none, an error).

"In force": the latest effective-from month on or before the month, the newest version
when two share that month. A month's grades keep the versions they were computed with
(``ScoreRun.weight_set``/``method_version``): a change here only re-grades a month by a
run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from scoring.models import MethodOverride, MethodVersion, WeightSet
from stations.models import Company, OrgUnit
from stations.orgtree import companies_under, unit_path

VersionModel = type[WeightSet] | type[MethodVersion]
AnyVersion = WeightSet | MethodVersion


@dataclass(frozen=True)
class Owners:
    """Whose versions may grade a company: its units, nearest first, and itself."""

    company_id: int
    units: tuple[OrgUnit, ...]
    own: bool  # the company uses its own method (overrides its units')


def owners_of(company_id: int, *, own: bool | None = None) -> Owners:
    """The company's units (nearest first) and whether it uses its own method (``own``:
    as if it did or did not, to say what a change of its choice would do)."""
    parent_id = Company.objects.filter(pk=company_id).values_list("parent_id", flat=True).first()
    if own is None:
        own = MethodOverride.objects.filter(company_id=company_id).exists()
    return Owners(company_id, tuple(reversed(unit_path(parent_id))), own)


def _in_force(versions: list[AnyVersion], period: date) -> AnyVersion | None:
    """The version in force in the month among one owner's (sorted newest in force first)."""
    return next((v for v in versions if v.effective_from <= period), None)


def governing_versions(
    model: VersionModel, owners: Owners, periods: Iterable[date]
) -> dict[date, AnyVersion | None]:
    """The version of ``model`` that grades each month (None: none in force), in two
    queries whatever the number of months."""
    periods = list(periods)
    if not periods:
        return {}
    last = max(periods)
    order = ("-effective_from", "-version")
    own = list(
        model.objects.filter(company_id=owners.company_id, effective_from__lte=last).order_by(
            *order
        )
    )
    by_unit: dict[int, list[AnyVersion]] = {}
    if not owners.own and owners.units:
        for version in model.objects.filter(
            unit_id__in=[unit.pk for unit in owners.units], effective_from__lte=last
        ).order_by(*order):
            by_unit.setdefault(version.unit_id, []).append(version)  # type: ignore[arg-type]
    result: dict[date, AnyVersion | None] = {}
    for period in periods:
        found = None
        for unit in owners.units if by_unit else ():
            found = _in_force(by_unit.get(unit.pk, []), period)
            if found is not None:
                found.unit = unit  # type: ignore[assignment]  # its name, without a query
                break
        result[period] = found or _in_force(own, period)
    return result


def governing_version(model: VersionModel, company_id: int, period: date) -> AnyVersion | None:
    """The version of ``model`` that grades the company's month (None: none in force)."""
    return governing_versions(model, owners_of(company_id), [period])[period]


def unit_version_in_force(model: VersionModel, unit: OrgUnit, period: date) -> AnyVersion | None:
    """The common version of ``model`` a company placed directly under ``unit`` would
    inherit in the month: the unit's own in force, else the nearest unit's above it
    (None: no unit on the way up has one). What a unit's new version starts from."""
    units = list(reversed(unit_path(unit.pk)))  # nearest first
    by_unit: dict[int, list[AnyVersion]] = {}
    for version in model.objects.filter(
        unit_id__in=[u.pk for u in units], effective_from__lte=period
    ).order_by("-effective_from", "-version"):
        by_unit.setdefault(version.unit_id, []).append(version)  # type: ignore[arg-type]
    for above in units:
        found = _in_force(by_unit.get(above.pk, []), period)
        if found is not None:
            return found
    return None


def companies_below(unit: OrgUnit) -> list[Company]:
    """Every company under the unit, at any depth, by id."""
    return sorted(companies_under(unit.pk), key=lambda company: company.pk)


# --- What the weight and grading-rule pages say ------------------------------------------


@dataclass(frozen=True)
class MethodSource:
    """Where a company's version of one kind in force in a month comes from."""

    version: AnyVersion | None  # the version in force (None: none, the default method)
    #: The unit it is inherited from; None when it is the company's own.
    unit: OrgUnit | None
    #: The company uses its own method although this unit's version would apply.
    overridden: AnyVersion | None

    @property
    def inherited(self) -> bool:
        return self.unit is not None


def method_source(model: VersionModel, company: Company, period: date) -> MethodSource:
    """Whether the company's version of ``model`` in force in the month is inherited
    (from which unit, which version) or its own, and what its own choice overrides."""
    return method_sources(model, [company], period)[company.pk]


def method_sources(
    model: VersionModel, companies: Iterable[Company], period: date
) -> dict[int, MethodSource]:
    """``method_source`` of many companies at once (by company id), in four queries
    whatever their number: the tree, the choices, the companies' own versions and the
    units' (a province's overview lists hundreds of companies)."""
    companies = list(companies)
    units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    own_choice = set(MethodOverride.objects.values_list("company_id", flat=True))
    order = ("-effective_from", "-version")
    own_versions: dict[int, list[AnyVersion]] = {}
    for version in model.objects.filter(
        company_id__in=[company.pk for company in companies], effective_from__lte=period
    ).order_by(*order):
        own_versions.setdefault(version.company_id, []).append(version)  # type: ignore[arg-type]
    unit_versions: dict[int, list[AnyVersion]] = {}
    for version in model.objects.filter(unit_id__isnull=False, effective_from__lte=period).order_by(
        *order
    ):
        unit_versions.setdefault(version.unit_id, []).append(version)  # type: ignore[arg-type]

    def inherited(parent_id: int | None) -> AnyVersion | None:
        seen: set[int] = set()
        while parent_id is not None and parent_id in units and parent_id not in seen:
            seen.add(parent_id)
            found = _in_force(unit_versions.get(parent_id, []), period)
            if found is not None:
                found.unit = units[parent_id]  # type: ignore[assignment]  # without a query
                return found
            parent_id = units[parent_id].parent_id
        return None

    result = {}
    for company in companies:
        own = _in_force(own_versions.get(company.pk, []), period)
        common = inherited(company.parent_id)
        if company.pk in own_choice:
            result[company.pk] = MethodSource(version=own, unit=None, overridden=common)
        elif common is not None:
            result[company.pk] = MethodSource(version=common, unit=common.unit, overridden=None)
        else:
            result[company.pk] = MethodSource(version=own, unit=None, overridden=None)
    return result
