"""Reads for a unit's common-method pages: which companies below the unit inherit its
versions and which use their own, and what a new common version would re-grade.

Every answer goes through ``scoring.methodsource`` (the one rule of which version grades
a company's month); a few queries per company below the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from indicators.periods import add_months, format_period
from scoring.methodsource import (
    AnyVersion,
    MethodSource,
    VersionModel,
    companies_below,
    governing_versions,
    method_sources,
    owners_of,
)
from scoring.models import MethodOverride, MethodVersion, RunStatus, ScoreRun, WeightSet
from scoring.monthstate import final_months
from scoring.selectors import periods_with_data
from scoring.services.versions import companies_governed_by
from stations.models import Company, OrgUnit


@dataclass(frozen=True)
class CompanySource:
    """One company below the unit: its choice and where its versions of this month come
    from."""

    company: Company
    own: bool  # uses its own method (``MethodOverride``)
    weights: MethodSource
    rules: MethodSource


def company_sources(unit: OrgUnit, period: date) -> list[CompanySource]:
    """Every company below the unit, by name, with the source of its weights and grading
    rules in force in the month."""
    own = set(MethodOverride.objects.values_list("company_id", flat=True))
    companies = companies_below(unit)
    weights = method_sources(WeightSet, companies, period)
    rules = method_sources(MethodVersion, companies, period)
    rows = [
        CompanySource(
            company=company,
            own=company.pk in own,
            weights=weights[company.pk],
            rules=rules[company.pk],
        )
        for company in companies
    ]
    return sorted(rows, key=lambda row: row.company.name)


def months_regraded_by_choice(company: Company, *, own: bool) -> list[date]:
    """The company's months with data whose governing weights or grading rules change if
    it uses its own method (``own``) or inherits its units' (what switching re-grades)."""
    periods = periods_with_data(company.pk)
    before, after = (_governing(company.pk, periods, own=choice) for choice in (not own, own))
    return [period for period in periods if before[period] != after[period]]


def governing_by_month(company_id: int, periods: list[date]) -> dict[date, tuple]:
    """Each month's (weight version id, method version id) as the company stands now."""
    return _governing(company_id, periods, own=None)


def _governing(company_id: int, periods: list[date], *, own: bool | None) -> dict[date, tuple]:
    """Each month's (weight version id, method version id) under the choice ``own``
    (None: the company's own choice as stored)."""
    owners = owners_of(company_id, own=own)
    weights = governing_versions(WeightSet, owners, periods)
    methods = governing_versions(MethodVersion, owners, periods)
    return {
        period: (getattr(weights[period], "pk", None), getattr(methods[period], "pk", None))
        for period in periods
    }


@dataclass(frozen=True)
class PlannedCompany:
    """What saving a unit's new version would do to one company below it."""

    company: Company
    final: list[str]  # months published as final: a re-grade waits for its administrator
    now: list[str]  # months not published or provisional: graded and published at once

    @property
    def count(self) -> int:
        return len(self.final) + len(self.now)


def unit_regrade_plan(
    unit: OrgUnit, model: VersionModel, effective_from: date
) -> list[PlannedCompany]:
    """The months with data, company by company, that a new version of ``model`` saved
    now for ``unit`` from ``effective_from`` would grade (and so re-grade): those of each
    inheriting company below it from that month on, except the months a nearer unit's
    version grades and those a later version of the unit itself grades."""
    plan = []
    for company in companies_below(unit):
        owners = owners_of(company.pk)
        if owners.own:
            continue
        months = periods_with_data(company.pk, since=effective_from)
        governing = governing_versions(model, owners, months)
        nearer = _nearer_unit_ids(owners.units, unit)
        taken = [m for m in months if _would_govern(governing[m], unit, nearer, effective_from)]
        if not taken:
            continue
        final = final_months(company.pk, taken)
        plan.append(
            PlannedCompany(
                company=company,
                final=[format_period(m) for m in taken if m in final],
                now=[format_period(m) for m in taken if m not in final],
            )
        )
    return sorted(plan, key=lambda row: row.company.name)


def _nearer_unit_ids(units: tuple[OrgUnit, ...], unit: OrgUnit) -> set[int]:
    """The units between a company and ``unit`` (nearest first in ``units``)."""
    nearer = set()
    for above in units:
        if above.pk == unit.pk:
            break
        nearer.add(above.pk)
    return nearer


def _would_govern(
    current: AnyVersion | None, unit: OrgUnit, nearer: set[int], effective_from: date
) -> bool:
    """Whether a new version of ``unit`` would take the month from ``current``: not when
    a nearer unit's version grades it, nor a version of the unit dated later."""
    if current is None or current.unit_id is None:
        return True
    if current.unit_id in nearer:
        return False
    if current.unit_id == unit.pk:
        return current.effective_from <= effective_from
    return True  # a unit further up


def next_month_below(unit: OrgUnit) -> str:
    """The month after the latest one published by a company below the unit: the usual
    start of a new common version ("" before any)."""
    ids = [company.pk for company in companies_below(unit)]
    latest = ScoreRun.objects.filter(company_id__in=ids, is_current=True).aggregate(
        latest=Max("period")
    )["latest"]
    return format_period(add_months(latest, 1)) if latest else ""


@dataclass(frozen=True)
class GovernedCompany:
    """A unit version's reach in one company: the months it grades and their runs."""

    company: Company
    months: list[str]
    published: int  # months whose published grades are this version's
    waiting: int  # re-grades under it that wait for the company's administrator
    computing: int  # re-grades under it still queued or running


def governed_companies(version: WeightSet | MethodVersion) -> list[GovernedCompany]:
    """Each company whose months a unit's version grades, with what became of them."""
    field = "weight_set" if isinstance(version, WeightSet) else "method_version"
    rows = []
    for company, months in companies_governed_by(version).items():
        runs = ScoreRun.objects.filter(company=company, period__in=months, **{field: version})
        rows.append(
            GovernedCompany(
                company=company,
                months=[format_period(m) for m in months],
                published=runs.filter(is_current=True).count(),
                waiting=runs.filter(
                    is_current=False, publish=False, status=RunStatus.DONE, unchanged=False
                )
                .values("period")
                .distinct()
                .count(),
                computing=runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).count(),
            )
        )
    return sorted(rows, key=lambda row: row.company.name)
