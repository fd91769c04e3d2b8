"""Reads of a unit's page (a province, a group): its children and their grade shares.

Honest comparisons across units: each company grades its own stations with its own
method, weights and targets, so a score of one company means nothing next to another's.
What compares like with like is the share of each grade among a child's graded stations,
so the upper levels rank and colour children by their grade shares (and their stations'
average grade position), never by raw scores.

Every count comes from the grade counts stored with each company's published run
(``scoring.models.RunGradeCount``, the whole-company rows), summed per company and month
by the database and per child here: a page makes the same few queries for 2 companies as
for 300, reads a few rows per company and month, and no station's score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from indicators.periods import add_months
from scoring.engine.grades import ALL_GRADES, GRADE_ORDER, RED, UNGRADED, average_grade
from scoring.models import CloseState, MonthClose, RunGradeCount, ScoreRun, Weight
from stations.models import Company, OrgUnit

UNIT, COMPANY = "unit", "company"
#: Months of each child's history on a unit's page.
HISTORY_MONTHS = 12


@dataclass(frozen=True)
class UnitChild:
    """A unit's direct child: a unit (with every company below it) or a company."""

    kind: str  # UNIT or COMPANY
    pk: int
    code: str
    name: str
    company_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


@dataclass(frozen=True)
class UnitTree:
    """A unit, its children, and every company below it."""

    unit: OrgUnit
    children: list[UnitChild]

    @property
    def company_ids(self) -> list[int]:
        return sorted(pk for child in self.children for pk in child.company_ids)


def unit_tree(unit: OrgUnit) -> UnitTree:
    """The unit's children, each with the companies below it (two queries: the units
    are few, read whole; the companies under the unit)."""
    units = {pk: (code, name, parent) for pk, code, name, parent in _all_units()}
    below: dict[int, int] = {}  # unit below ``unit`` → its child of ``unit``
    for pk in units:
        top = _child_of(pk, unit.pk, units)
        if top is not None:
            below[pk] = top
    companies = list(
        Company.objects.filter(parent_id__in=[unit.pk, *below])
        .order_by("name")
        .values_list("pk", "code", "name", "parent_id")
    )
    grouped: dict[int, list[int]] = {}
    children = []
    for pk, code, name, parent in companies:
        if parent == unit.pk:
            children.append(UnitChild(COMPANY, pk, code or "", name, (pk,)))
        else:
            grouped.setdefault(below[parent], []).append(pk)
    for unit_id, (unit_code, unit_name, unit_parent) in units.items():
        if unit_parent == unit.pk:
            below_ids = tuple(grouped.get(unit_id, ()))
            children.append(UnitChild(UNIT, unit_id, unit_code, unit_name, below_ids))
    children.sort(key=lambda child: (child.kind != UNIT, child.code, child.name))
    return UnitTree(unit=unit, children=children)


def _all_units() -> list[tuple[int, str, str, int | None]]:
    return list(OrgUnit.objects.values_list("pk", "code", "name", "parent_id"))


def _child_of(pk: int, top: int, units: dict) -> int | None:
    """The child of ``top`` that ``pk`` is (or is under); None when not under ``top``."""
    seen = set()
    while pk in units and pk not in seen:
        seen.add(pk)
        parent = units[pk][2]
        if parent == top:
            return pk
        if parent is None:
            return None
        pk = parent
    return None


@dataclass(frozen=True)
class UnitMonth:
    period: date
    companies: int  # companies with a published run that month


def unit_months(company_ids: list[int]) -> list[UnitMonth]:
    """The months any company below has published, newest first (one query)."""
    rows = (
        ScoreRun.objects.filter(company_id__in=company_ids, is_current=True)
        .values("period")
        .annotate(companies=Count("id"))
        .order_by("-period")
    )
    return [UnitMonth(row["period"], row["companies"]) for row in rows]


def opening_month(months: list[UnitMonth]) -> date | None:
    """The month a unit's page opens on: the newest one the most companies published
    (a month only a few have published yet does not take over the page)."""
    if not months:
        return None
    most = max(month.companies for month in months)
    return next(month.period for month in months if month.companies == most)


@dataclass
class ChildShares:
    """One child's grades in a month and its share of red over the months before."""

    child: UnitChild
    counts: dict[str, int]  # grade → stations, every grade of ALL_GRADES
    companies_graded: int = 0  # companies below with a published run this month
    provisional: bool = False  # some of its grades this month are provisional
    red_history: dict[date, float | None] = field(default_factory=dict)

    @property
    def stations(self) -> int:
        return sum(self.counts.values())

    @property
    def graded(self) -> int:
        return sum(self.counts[grade] for grade in GRADE_ORDER)

    def share(self, grade: str) -> float | None:
        """The grade's share of the graded stations (None: none graded)."""
        return self.counts[grade] / self.graded if self.graded else None

    @property
    def red_share(self) -> float | None:
        return self.share(RED)

    @property
    def level(self) -> str | None:
        """The grade of its stations' average position (``average_grade``)."""
        return average_grade(self.counts)


def child_shares(tree: UnitTree, period: date, months: Iterable[date]) -> list[ChildShares]:
    """Every child's grade counts in ``period`` and share of red in each of ``months``,
    sorted by share of red, highest first (children without a grade last). Three
    queries whatever the number of stations: the counts summed per company by the
    database (a few rows per company and month), then per child here."""
    months = sorted(set(months) | {period})
    if not tree.children:
        return []
    child_of = {pk: child.key for child in tree.children for pk in child.company_ids}
    found = {child.key: ChildShares(child, dict.fromkeys(ALL_GRADES, 0)) for child in tree.children}
    runs = ScoreRun.objects.filter(
        company_id__in=tree.company_ids, is_current=True, period__in=months
    ).values("pk")
    stored = RunGradeCount.objects.filter(county__isnull=True, run_id__in=runs)
    graded_companies: dict[str, set[int]] = {}
    for company_id, grade, stations in (
        stored.filter(run__period=period)
        .values_list("run__company_id", "grade")
        .annotate(n=Sum("stations"))
        .order_by()
    ):
        key = child_of[company_id]
        found[key].counts[grade if grade in ALL_GRADES else UNGRADED] += stations
        graded_companies.setdefault(key, set()).add(company_id)
    red = Sum("stations", filter=Q(grade=RED))
    graded = Sum("stations", filter=Q(grade__in=GRADE_ORDER))
    history: dict[tuple[str, date], list[int]] = {}
    for company_id, month, red_count, graded_count in (
        stored.values_list("run__company_id", "run__period")
        .annotate(red=red, graded=graded)
        .values_list("run__company_id", "run__period", "red", "graded")
        .order_by()
    ):
        sums = history.setdefault((child_of[company_id], month), [0, 0])
        sums[0] += red_count or 0
        sums[1] += graded_count or 0
    for (key, month), (red_sum, graded_sum) in history.items():
        found[key].red_history[month] = red_sum / graded_sum if graded_sum else None
    provisional = set(
        MonthClose.objects.filter(
            company_id__in=tree.company_ids, period=period, state=CloseState.PROVISIONAL
        ).values_list("company_id", flat=True)
    )
    for shares in found.values():
        shares.companies_graded = len(graded_companies.get(shares.child.key, ()))
        shares.provisional = not provisional.isdisjoint(shares.child.company_ids)
    rows = list(found.values())
    rows.sort(key=lambda s: (s.red_share is None, -(s.red_share or 0), s.child.name))
    return rows


def history_months(period: date, months: list[UnitMonth]) -> list[date]:
    """The months of the history: up to ``HISTORY_MONTHS`` ending with ``period``."""
    first = add_months(period, -(HISTORY_MONTHS - 1))
    return sorted(m.period for m in months if first <= m.period <= period)


@dataclass(frozen=True)
class MethodMix:
    """Whether the companies below grade a month alike."""

    methods: int  # different scoring methods (their parameters)
    weights_differ: bool

    @property
    def mixed(self) -> bool:
        return self.methods > 1 or self.weights_differ


def method_mix(company_ids: list[int], period: date) -> MethodMix:
    """How many different methods the month's published runs used, and whether their
    weights differ (two queries, a few rows each)."""
    runs = ScoreRun.objects.filter(company_id__in=company_ids, period=period, is_current=True)
    methods = runs.values("method_params").distinct().count()
    weights = Weight.objects.filter(weight_set_id__in=runs.values("weight_set_id"))
    summary = weights.aggregate(sets=Count("weight_set_id", distinct=True), rows=Count("id"))
    weights_differ = False
    if summary["sets"] > 1:  # alike when every set holds the same (indicator, weight) pairs
        pairs = weights.values("indicator_id", "weight").distinct().count()
        weights_differ = summary["rows"] != pairs * summary["sets"]
    return MethodMix(methods=methods, weights_differ=weights_differ)
