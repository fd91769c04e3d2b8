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
from stations.orgtree import companies_under, unit_path, units_up

VersionModel = type[WeightSet] | type[MethodVersion]
AnyVersion = WeightSet | MethodVersion


def _in_force(versions: list[AnyVersion], period: date) -> AnyVersion | None:
    """The version in force in the month among one owner's (sorted newest in force first)."""
    return next((v for v in versions if v.effective_from <= period), None)


def governing_versions(
    model: VersionModel, company_id: int, periods: Iterable[date], *, own: bool | None = None
) -> dict[date, AnyVersion | None]:
    """The version of ``model`` that grades each of the company's months (None: none in
    force). ``own``: as if the company did (True) or did not (False) use its own method,
    to say what a change of its choice would do; None: its choice as stored."""
    company = Company.objects.only("pk", "parent_id").filter(pk=company_id).first()
    if company is None:
        return dict.fromkeys(periods)
    table = sources_by_month(model, [company], periods, own=own)[company_id]
    return {period: source.version for period, source in table.items()}


def governing_version(model: VersionModel, company_id: int, period: date) -> AnyVersion | None:
    """The version of ``model`` that grades the company's month (None: none in force)."""
    return governing_versions(model, company_id, [period])[period]


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
    whatever their number (a province's overview lists hundreds of companies)."""
    table = sources_by_month(model, companies, [period])
    return {company_id: months[period] for company_id, months in table.items()}


def sources_by_month(
    model: VersionModel,
    companies: Iterable[Company],
    periods: Iterable[date],
    *,
    own: bool | None = None,
) -> dict[int, dict[date, MethodSource]]:
    """The rule (this module's docstring), for many companies and months at once: each
    company's (by id) source of ``model`` in each month, in four queries whatever their
    number — the tree, the choices, the companies' own versions and the units'. ``own``:
    every company as if it did or did not use its own method (None: as stored)."""
    companies = list(companies)
    periods = sorted(set(periods))
    if not companies or not periods:
        return {company.pk: {} for company in companies}
    last = periods[-1]
    units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    parents = {pk: unit.parent_id for pk, unit in units.items()}
    own_choice = (
        set(MethodOverride.objects.values_list("company_id", flat=True)) if own is None else set()
    )
    order = ("-effective_from", "-version")
    own_versions: dict[int, list[AnyVersion]] = {}
    for version in model.objects.filter(
        company_id__in=[company.pk for company in companies], effective_from__lte=last
    ).order_by(*order):
        own_versions.setdefault(version.company_id, []).append(version)  # type: ignore[arg-type]
    unit_versions: dict[int, list[AnyVersion]] = {}
    for version in model.objects.filter(unit_id__isnull=False, effective_from__lte=last).order_by(
        *order
    ):
        version.unit = units.get(version.unit_id)  # type: ignore[assignment]  # no query
        unit_versions.setdefault(version.unit_id, []).append(version)  # type: ignore[arg-type]

    result: dict[int, dict[date, MethodSource]] = {}
    for company in companies:
        chain = units_up(parents, company.parent_id)
        uses_own = own if own is not None else company.pk in own_choice
        months = result[company.pk] = {}
        for period in periods:
            mine = _in_force(own_versions.get(company.pk, []), period)
            common = next(
                (
                    found
                    for unit_id in chain
                    if (found := _in_force(unit_versions.get(unit_id, []), period)) is not None
                ),
                None,
            )
            if uses_own:
                months[period] = MethodSource(version=mine, unit=None, overridden=common)
            elif common is not None:
                months[period] = MethodSource(version=common, unit=common.unit, overridden=None)
            else:
                months[period] = MethodSource(version=mine, unit=None, overridden=None)
    return result
