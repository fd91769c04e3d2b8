"""Reads of a unit's page (a province, a group): its children and their grade shares.

Honest comparisons across units: each company grades its own stations with its own
method, weights and targets, so a score of one company means nothing next to another's.
What compares like with like is the share of each grade among a child's graded stations,
so the upper levels rank and colour children by their grade shares (and their stations'
average grade position), never by raw scores.

Every count comes from the grade counts stored with each company's published run
(``scoring.models.RunGradeCount``, the whole-company rows), summed per child in the
database: a page makes the same few queries for 2 companies as for 300, and reads no
station's score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

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
    sorted by share of red, highest first (children without a grade last). Four
    queries whatever the number of companies and stations."""
    months = sorted(set(months) | {period})
    by_child = {
        child.key: ChildShares(child, dict.fromkeys(ALL_GRADES, 0)) for child in tree.children
    }
    if not tree.children:
        return []
    which = _child_case(tree.children)
    runs = ScoreRun.objects.filter(
        company_id__in=tree.company_ids, is_current=True, period__in=months
    ).values("pk")
    stored = RunGradeCount.objects.filter(county__isnull=True, run_id__in=runs).annotate(
        child=which
    )
    in_month = stored.filter(run__period=period)
    for child, grade, stations in (
        in_month.values_list("child", "grade").annotate(n=Sum("stations")).order_by()
    ):
        counts = by_child[tree.children[child].key].counts
        counts[grade if grade in ALL_GRADES else UNGRADED] += stations
    for child, companies in (
        in_month.values_list("child").annotate(n=Count("run_id", distinct=True)).order_by()
    ):
        by_child[tree.children[child].key].companies_graded = companies
    red = Sum("stations", filter=Q(grade=RED))
    graded = Sum("stations", filter=Q(grade__in=GRADE_ORDER))
    for child, month, red_count, graded_count in (
        stored.values_list("child", "run__period")
        .annotate(red=red, graded=graded)
        .values_list("child", "run__period", "red", "graded")
        .order_by()
    ):
        share = (red_count or 0) / graded_count if graded_count else None
        by_child[tree.children[child].key].red_history[month] = share
    provisional = set(
        MonthClose.objects.filter(
            company_id__in=tree.company_ids, period=period, state=CloseState.PROVISIONAL
        ).values_list("company_id", flat=True)
    )
    for shares in by_child.values():
        shares.provisional = not provisional.isdisjoint(shares.child.company_ids)
    found = list(by_child.values())
    found.sort(key=lambda s: (s.red_share is None, -(s.red_share or 0), s.child.name))
    return found


def _child_case(children: list[UnitChild]) -> Case:
    """The index of the child each count's company is under, computed by the database."""
    return Case(
        *(
            When(run__company_id__in=child.company_ids, then=Value(index))
            for index, child in enumerate(children)
            if child.company_ids
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )


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
