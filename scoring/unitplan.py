"""Reads for a unit's common-method pages: which companies below the unit inherit its
versions and which use their own, and what a new common version would re-grade.

Every answer goes through ``scoring.methodsource`` (the one rule of which version grades
a company's month), for every company below the unit at once: a handful of queries
whatever their number (a province has hundreds).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from indicators.periods import add_months, format_period
from scoring.engine import ScoringMethod
from scoring.methodsource import (
    AnyVersion,
    MethodSource,
    VersionModel,
    companies_below,
    method_sources,
    sources_by_month,
)
from scoring.models import MethodOverride, MethodVersion, RunStatus, ScoreRun, WeightSet
from scoring.monthstate import final_months_by_company
from scoring.selectors import method_of, periods_by_company, periods_with_data
from scoring.services.versions import companies_governed_by
from stations.models import Company, OrgUnit
from stations.orgtree import units_up


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
    periods = {company.pk: periods_with_data(company.pk)}
    before, after = (
        governing_by_month([company], periods, own=choice)[company.pk] for choice in (not own, own)
    )
    return [period for period in periods[company.pk] if before[period] != after[period]]


def governing_by_month(
    companies: list[Company], periods: dict[int, list[date]], *, own: bool | None = None
) -> dict[int, dict[date, tuple]]:
    """Each company's (by id) months of ``periods`` (by company id) with their (weight
    version id, method version id), in the same few queries whatever the number of
    companies; ``own``: every company as if it did or did not use its own method (None:
    each one's choice as stored). The companies are read as given (their parent)."""
    every = {month for months in periods.values() for month in months}
    weights = sources_by_month(WeightSet, companies, every, own=own)
    methods = sources_by_month(MethodVersion, companies, every, own=own)
    return {
        company.pk: {
            period: (
                getattr(weights[company.pk][period].version, "pk", None),
                getattr(methods[company.pk][period].version, "pk", None),
            )
            for period in periods.get(company.pk, [])
        }
        for company in companies
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
    inheriting = _inheriting(unit)
    companies = list(inheriting)
    with_data = periods_by_company([c.pk for c in companies], since=effective_from)
    every_month = {month for months in with_data.values() for month in months}
    table = sources_by_month(model, companies, every_month, own=False)
    finals = final_months_by_company(list(with_data), since=effective_from)
    plan = []
    for company, nearer in inheriting.items():
        taken = [
            month
            for month in with_data.get(company.pk, [])
            if _would_govern(table[company.pk][month].version, unit, nearer, effective_from)
        ]
        if not taken:
            continue
        final = finals.get(company.pk, set())
        plan.append(
            PlannedCompany(
                company=company,
                final=[format_period(m) for m in taken if m in final],
                now=[format_period(m) for m in taken if m not in final],
            )
        )
    return sorted(plan, key=lambda row: row.company.name)


@dataclass(frozen=True)
class RulesChange:
    """What a unit's new grading rules change in one inheriting company besides which
    version grades its months: its grading (scoring, colours, coverage) and its targets."""

    company: Company
    before: ScoringMethod  # the rules in force for it at the effective month
    grading_changes: bool  # anything but the targets differs
    targets_moved: list[str]  # the indicators whose floor or target differ


def rules_changes(unit: OrgUnit, method: ScoringMethod, effective_from: date) -> list[RulesChange]:
    """For each company below ``unit`` that ``method`` saved from ``effective_from`` would
    grade (it inherits, and no nearer unit's rules are in force), what it changes in the
    rules in force for it that month — its own or inherited — whether or not a month with
    data is re-graded yet: nothing listed when only the version's number changes. A unit's
    grading and targets are one version, so new common targets also bring the common
    grading, and new common rules the common targets."""
    inheriting = _inheriting(unit)
    sources = method_sources(MethodVersion, inheriting, effective_from)
    changes = []
    for company, nearer in sorted(inheriting.items(), key=lambda item: item[0].name):
        in_force = sources[company.pk].version
        if not _would_govern(in_force, unit, nearer, effective_from):
            continue
        before = method_of(in_force)  # type: ignore[arg-type]
        codes = sorted({code for code, _pair in (*before.goalposts, *method.goalposts)})
        moved = [code for code in codes if before.goalposts_for(code) != method.goalposts_for(code)]
        grading = dataclasses.replace(before, goalposts=method.goalposts) != method
        if moved or grading:
            changes.append(RulesChange(company, before, grading, moved))
    return changes


def _inheriting(unit: OrgUnit) -> dict[Company, set[int]]:
    """The companies below ``unit`` that inherit (do not use their own method), each with
    the units between it and ``unit`` (whose versions, when in force, come first)."""
    own = set(MethodOverride.objects.values_list("company_id", flat=True))
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    return {
        company: _nearer_unit_ids(units_up(parents, company.parent_id), unit)
        for company in companies_below(unit)
        if company.pk not in own
    }


def _nearer_unit_ids(units: list[int], unit: OrgUnit) -> set[int]:
    """The units between a company and ``unit`` (``units``: those above it, nearest
    first)."""
    nearer = set()
    for above in units:
        if above == unit.pk:
            break
        nearer.add(above)
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
    governed = companies_governed_by(version)
    runs = ScoreRun.objects.filter(
        company_id__in=[company.pk for company in governed], **{field: version}
    ).values_list("company_id", "period", "is_current", "publish", "status", "unchanged")
    by_company: dict[int, list[tuple]] = {}
    for row in runs:
        by_company.setdefault(row[0], []).append(row)
    rows = []
    for company, months in governed.items():
        wanted = set(months)
        mine = [row for row in by_company.get(company.pk, []) if row[1] in wanted]
        rows.append(
            GovernedCompany(
                company=company,
                months=[format_period(m) for m in months],
                published=sum(1 for row in mine if row[2]),
                waiting=len(
                    {
                        period
                        for _c, period, current, publish, status, unchanged in mine
                        if not current
                        and not publish
                        and status == RunStatus.DONE
                        and not unchanged
                    }
                ),
                computing=sum(1 for row in mine if row[4] in (RunStatus.QUEUED, RunStatus.RUNNING)),
            )
        )
    return sorted(rows, key=lambda row: row.company.name)
