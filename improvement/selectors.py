"""Reads of the improvement work: a month's grades as DataFrames for the engine, and what
is being done for each station."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from django.db.models import Prefetch, Q
from django.utils import timezone

from improvement.engine import (
    PairingEvaluation,
    PairingProposal,
    Strength,
    department_help,
    evaluate_pairing,
    pair_reasons,
    propose_pairing,
)
from improvement.engine.pairing import haversine_km
from improvement.engine.progress import Progress, ProgressMonth, judge_progress
from improvement.models import (
    OPEN_STATUSES,
    BranchPairing,
    DepartmentHelp,
    Measure,
    MeasureIndicator,
    ProjectStatus,
    SecretaryProject,
)
from indicators.models import Indicator
from indicators.periods import add_months, month_start
from mapviews.selectors import indicator_lines, indicators_in_force, month_values
from scoring.engine import grade_from_thresholds, indicator_grades
from scoring.engine.grades import grade_position
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.selectors import (
    current_run,
    current_runs,
    effective_weight_set,
    month_rows,
    opening_period,
    weight_series,
)
from stations.models import Station


@dataclass(frozen=True)
class MonthGrades:
    """One company-month as published, shaped for the improvement engine.

    ``scores``: index station id; columns ``score``, ``rank``, ``grade``.
    ``normalised`` and ``indicator_grades``: station × indicator code (the month's
    counted indicators in display order); NaN / "ungraded" where a station has no value.
    """

    period: date
    run: ScoreRun
    scores: pd.DataFrame
    normalised: pd.DataFrame
    indicator_grades: pd.DataFrame

    @property
    def grades(self) -> pd.Series:
        return self.scores["grade"]

    @property
    def codes(self) -> list[str]:
        return list(self.normalised.columns)

    @property
    def raw_medians(self) -> dict[str, float]:
        """Each indicator's company median of the raw values (as the run stored it)."""
        return self.run.summary.get("indicator_medians", {})

    def goal_threshold(self, code: str, position: int) -> float | None:
        """The normalised value grade ``position`` (0 red … 4 yellow) started at on the
        indicator this month."""
        found = self.run.summary.get("indicator_thresholds", {}).get(code)
        return found[position] if found else None


def month_codes(run: ScoreRun) -> list[str]:
    """The indicators the run graded, in display order."""
    graded = run.summary.get("indicator_thresholds", {})
    ordered = Indicator.objects.filter(code__in=list(graded)).order_by("display_order", "code")
    return list(ordered.values_list("code", flat=True))


def month_grades(
    company_id: int, period: date, station_ids: list[int] | None = None
) -> MonthGrades | None:
    """The published grades of the month (None when it is not scored), of every station
    or of the given ones."""
    run = current_run(company_id, period)
    if run is None:
        return None
    rows = month_rows(company_id, period)
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
    found = list(
        rows.order_by("station_id").values_list(
            "station_id", "score", "rank", "grade", "normalised"
        )
    )
    return _month_frames(run, month_codes(run), found)


def _month_frames(run: ScoreRun, codes: list[str], found: list[tuple]) -> MonthGrades:
    index = pd.Index([row[0] for row in found], name="station")
    scores = pd.DataFrame(
        {
            "score": pd.array([row[1] for row in found], dtype="Float64"),
            "rank": pd.array([row[2] for row in found], dtype="Int64"),
            "grade": [row[3] for row in found],
        },
        index=index,
    )
    matrix = np.full((len(found), len(codes)), np.nan)
    column = {code: i for i, code in enumerate(codes)}
    for r, row in enumerate(found):
        for code, value in (row[4] or {}).items():
            if code in column and value is not None:
                matrix[r, column[code]] = value
    normalised = pd.DataFrame(matrix, index=index, columns=codes)
    thresholds = run.summary.get("indicator_thresholds", {})
    return MonthGrades(
        period=run.period,
        run=run,
        scores=scores,
        normalised=normalised,
        indicator_grades=indicator_grades(normalised, thresholds),
    )


def grade_history(
    company_id: int, station_ids: list[int], period: date, months: int
) -> dict[date, MonthGrades]:
    """The ``months`` published months up to ``period`` (oldest first) for the given
    stations; months that were not scored are left out."""
    first = add_months(period, -(months - 1))
    runs = {
        run.period: run
        for run in ScoreRun.objects.filter(
            company_id=company_id, is_current=True, period__gte=first, period__lte=period
        ).only("period", "summary", "company_id")
    }
    if not runs:
        return {}
    codes = month_codes(runs[max(runs)])
    rows = month_rows_between(company_id, station_ids, first, period)
    by_month: dict[date, list[tuple]] = {}
    for month, *row in rows:
        by_month.setdefault(month, []).append(tuple(row))
    return {
        month: _month_frames(runs[month], codes, by_month.get(month, [])) for month in sorted(runs)
    }


def month_rows_between(
    company_id: int, station_ids: list[int], first: date, last: date
) -> list[tuple]:
    """(period, station, score, rank, grade, normalised) of the published months."""
    return list(
        StationScore.objects.filter(
            run__company_id=company_id,
            run__is_current=True,
            station_id__in=station_ids,
            period__gte=first,
            period__lte=last,
        )
        .order_by("period", "station_id")
        .values_list("period", "station_id", "score", "rank", "grade", "normalised")
    )


# --- What is being done -----------------------------------------------------------------


@dataclass
class StationWork:
    """What is being done for a station: open measures, pairings and help that have not
    ended, active secretary projects."""

    measures: list[Measure] = field(default_factory=list)
    pairings: list[BranchPairing] = field(default_factory=list)
    help: list[DepartmentHelp] = field(default_factory=list)
    projects: list[SecretaryProject] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.measures or self.pairings or self.help or self.projects)

    def covers(self, code: str) -> bool:
        """Whether some open measure, help or project works on the indicator."""
        return (
            any(code in measure.indicator_codes for measure in self.measures)
            or any(item.indicator.code == code for item in self.help)
            or any(project.indicator.code == code for project in self.projects)
        )


def measures_with_indicators():
    """Measures with their indicator links (and causes) in two queries."""
    links = MeasureIndicator.objects.select_related("indicator").order_by(
        "indicator__display_order"
    )
    return Measure.objects.prefetch_related(Prefetch("links", queryset=links))


def work_by_station(station_ids: list[int], period: date) -> dict[int, StationWork]:
    """Each station's current work as of ``period``: a pairing or help counts until its
    last month has passed (one accepted for next month counts already)."""
    work = {station_id: StationWork() for station_id in station_ids}
    measures = measures_with_indicators().filter(
        station_id__in=station_ids, status__in=OPEN_STATUSES
    )
    for measure in measures.order_by("due_month", "pk"):
        measure.indicator_codes = [link.indicator.code for link in measure.links.all()]
        work[measure.station_id].measures.append(measure)
    pairings = BranchPairing.objects.filter(
        Q(weak_station_id__in=station_ids) | Q(strong_station_id__in=station_ids),
        end_month__gte=period,
    ).select_related("weak_station", "strong_station")
    for pairing in pairings.order_by("start_month", "pk"):
        for station_id in (pairing.weak_station_id, pairing.strong_station_id):
            if station_id in work:
                work[station_id].pairings.append(pairing)
    help_rows = DepartmentHelp.objects.filter(
        station_id__in=station_ids, end_month__gte=period
    ).select_related("indicator")
    for item in help_rows.order_by("start_month", "pk"):
        work[item.station_id].help.append(item)
    projects = SecretaryProject.objects.filter(
        station_id__in=station_ids, status=ProjectStatus.ACTIVE
    ).select_related("indicator", "secretary")
    for project in projects.order_by("start_month", "pk"):
        work[project.station_id].projects.append(project)
    return work


def station_records(station_id: int) -> StationWork:
    """Every measure, pairing, help and project a station ever had (newest first), for its
    page: what was done next to how its colour moved."""
    measures = list(
        measures_with_indicators().filter(station_id=station_id).order_by("-based_on", "-pk")
    )
    for measure in measures:
        measure.indicator_codes = [link.indicator.code for link in measure.links.all()]
    return StationWork(
        measures=measures,
        pairings=list(
            BranchPairing.objects.filter(
                Q(weak_station_id=station_id) | Q(strong_station_id=station_id)
            )
            .select_related("weak_station", "strong_station")
            .order_by("-start_month", "-pk")
        ),
        help=list(
            DepartmentHelp.objects.filter(station_id=station_id)
            .select_related("indicator")
            .order_by("-start_month", "-pk")
        ),
        projects=list(
            SecretaryProject.objects.filter(station_id=station_id)
            .select_related("indicator", "secretary")
            .order_by("-start_month", "-pk")
        ),
    )


def work_started(work: StationWork) -> dict[date, list[tuple[str, object]]]:
    """Month → (kind, record) of the work that began that month: a measure the month
    after the grades that prompted it, the others in their first month."""
    started: dict[date, list[tuple[str, object]]] = {}
    for measure in work.measures:
        started.setdefault(add_months(measure.based_on, 1), []).append(("measure", measure))
    for pairing in work.pairings:
        started.setdefault(pairing.start_month, []).append(("pairing", pairing))
    for item in work.help:
        started.setdefault(item.start_month, []).append(("help", item))
    for project in work.projects:
        started.setdefault(project.start_month, []).append(("project", project))
    return started


# --- Secretary projects -----------------------------------------------------------------


def projects_progress(projects: list[SecretaryProject], until: date | None = None) -> dict:
    """Each project's ``Progress`` (by project id), read from the published months from
    the month before its start up to ``until`` (default: the newest published month)."""
    if not projects:
        return {}
    first = min(add_months(project.start_month, -1) for project in projects)
    station_ids = sorted({project.station_id for project in projects})
    company_ids = set(
        Station.objects.filter(pk__in=station_ids).values_list("county__company_id", flat=True)
    )
    runs = ScoreRun.objects.filter(
        company_id__in=company_ids, is_current=True, period__gte=first
    ).only("period", "summary", "company_id")
    if until is not None:
        runs = runs.filter(period__lte=until)
    thresholds = {
        (run.company_id, run.period): run.summary.get("indicator_thresholds", {}) for run in runs
    }
    rows = StationScore.objects.filter(
        station_id__in=station_ids, run__is_current=True, period__gte=first
    ).values_list("station_id", "station__county__company_id", "period", "normalised")
    values = {
        (station_id, period): (company_id, normalised)
        for station_id, company_id, period, normalised in rows
        if (company_id, period) in thresholds
    }
    return {project.pk: _progress(project, values, thresholds) for project in projects}


def _progress(project: SecretaryProject, values: dict, thresholds: dict) -> Progress:
    code = project.indicator.code
    goal = grade_position(project.goal_grade)

    def month(period: date) -> ProgressMonth | None:
        found = values.get((project.station_id, period))
        if found is None:
            return None
        company_id, normalised = found
        bars = thresholds[(company_id, period)].get(code)
        value = (normalised or {}).get(code)
        return ProgressMonth(
            period=period,
            value=value,
            grade=grade_from_thresholds(value, bars),
            goal_threshold=bars[goal] if bars else None,
        )

    periods = sorted(
        period
        for station_id, period in values
        if station_id == project.station_id and period >= project.start_month
    )
    months = [found for found in map(month, periods) if found is not None]
    return judge_progress(
        month(add_months(project.start_month, -1)),
        months,
        goal_grade=project.goal_grade,
        goal_month=project.goal_month,
    )


def station_secretaries(station_id: int) -> list:
    """The active users who work at the station and hold the secretary role."""
    from django.contrib.auth import get_user_model

    from stations.roles import STATION_SECRETARY

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            station_membership__station_id=station_id,
            groups__name=STATION_SECRETARY.group,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def baseline_month(project: SecretaryProject) -> ProgressMonth | None:
    """The indicator's value and grade in the month before the project's start (None
    when that month is not published or the station was not in it); the project need
    not be saved."""
    before = add_months(project.start_month, -1)
    return projects_progress([project], until=before)[project.pk].baseline


@dataclass(frozen=True)
class ProjectPage:
    """What a project's page shows besides the project itself."""

    progress: Progress
    milestones: list
    check_ins: list


def project_page(project: SecretaryProject) -> ProjectPage:
    return ProjectPage(
        progress=projects_progress([project])[project.pk],
        milestones=list(project.milestones.order_by("due_month", "pk")),
        check_ins=list(
            project.check_ins.select_related("created_by").order_by("-created_at", "-pk")
        ),
    )


@dataclass(frozen=True)
class IndicatorOption:
    """An indicator a new project can take on, with the station's latest grade on it."""

    indicator: Indicator
    normalised: float | None
    grade: GradeDisplay
    active_project: SecretaryProject | None


def project_indicator_options(station: Station) -> tuple[date | None, list[IndicatorOption]]:
    """The latest published month and the indicators in force then, the station's
    weakest first (as on its page), each with the active project already on it."""
    latest = opening_period(current_runs(station.county.company_id))
    score = (
        StationScore.objects.filter(station=station, period=latest, run__is_current=True)
        .select_related("run")
        .first()
        if latest
        else None
    )
    if score is not None:
        lines = [
            (line.indicator, line.normalised, line.grade)
            for line in indicator_lines(station, score)
        ]
    else:
        in_force = indicators_in_force(latest or month_start(timezone.localdate()))
        lines = [(indicator, None, grade_display(None)) for indicator in in_force]
    active = {
        project.indicator_id: project
        for project in SecretaryProject.objects.filter(station=station, status=ProjectStatus.ACTIVE)
    }
    options = [
        IndicatorOption(indicator, normalised, grade, active.get(indicator.pk))
        for indicator, normalised, grade in lines
    ]
    return latest, options


# --- Branch pairing and department help -------------------------------------------------

#: A pairing or help accepted now runs for this many months by default (from next month).
DEFAULT_SPAN_MONTHS = 3


def default_span(based_on: date) -> tuple[date, date]:
    """The months a pairing or help chosen from ``based_on``'s grades runs by default:
    the next month and the two after it."""
    start = add_months(based_on, 1)
    return start, add_months(start, DEFAULT_SPAN_MONTHS - 1)


def pairings_in_force(company_id: int, period: date) -> list[BranchPairing]:
    """Accepted pairings not ended by ``period`` (those starting later included): by first
    month, then yellow–red before green–orange, the largest benefit first."""
    pairings = BranchPairing.objects.filter(
        company_id=company_id, end_month__gte=period
    ).select_related("weak_station", "strong_station")
    return sorted(
        pairings,
        key=lambda p: (p.start_month, -(grade_position(p.weak_grade) or 0), -p.benefit, p.pk),
    )


def help_in_force(company_id: int, period: date) -> list[DepartmentHelp]:
    """Accepted department help not ended by ``period`` (those starting later included)."""
    return list(
        DepartmentHelp.objects.filter(company_id=company_id, end_month__gte=period)
        .select_related("station", "indicator")
        .order_by("indicator__display_order", "station__code", "start_month", "pk")
    )


def indicator_names() -> dict[str, str]:
    """Every indicator's name in the active language, by code (retired ones included)."""
    return {indicator.code: indicator.name for indicator in Indicator.objects.all()}


@dataclass(frozen=True)
class PairingMonth:
    """A scored month's branch-pairing proposal, and what showing, editing and recording
    it needs. ``busy``: station id → the pairing it is already in at ``start`` (the month
    a pairing accepted now starts); those stations are left out of the proposal."""

    month: MonthGrades
    proposal: PairingProposal
    start: date
    stations: dict[int, Station]
    busy: dict[int, BranchPairing]

    def grade(self, station_id: int) -> str | None:
        return self.month.grades.get(station_id)

    def stations_graded(self, grade: str, *, best_first: bool) -> list[int]:
        """The month's stations of ``grade``, by rank (busy ones included)."""
        scores = self.month.scores
        ranked = scores[scores["grade"] == grade].sort_values(
            "rank", ascending=best_first, kind="stable"
        )
        return [int(station_id) for station_id in ranked.index]

    def proposed_partners(self) -> dict[int, int]:
        """weak station id → the proposal's partner."""
        return {int(pair.weak): int(pair.strong) for pair in self.proposal.pairs}

    def evaluate(self, pairs: list[tuple[int, int]]) -> PairingEvaluation:
        return evaluate_pairing(pairs, self.month.normalised, self.proposal)

    def reasons(self, weak: int, strong: int) -> tuple[Strength, ...]:
        return pair_reasons(self.proposal.rule, self.month.normalised, weak, strong)

    def distance_km(self, weak: int, strong: int) -> float:
        return station_distance_km(self.stations[weak], self.stations[strong])


def station_distance_km(one: Station, other: Station) -> float:
    return float(haversine_km(one.latitude, one.longitude, other.latitude, other.longitude))


def pairing_month(company_id: int, period: date) -> PairingMonth | None:
    """The proposal from ``period``'s grades for pairings starting next month (None when
    the month is not scored). Stations in a pairing that runs into next month are left
    out; the medians are still those of every station of the month."""
    month = month_grades(company_id, period)
    if month is None:
        return None
    start, _end = default_span(period)
    busy: dict[int, BranchPairing] = {}
    for pairing in pairings_in_force(company_id, start):
        busy.setdefault(pairing.weak_station_id, pairing)
        busy.setdefault(pairing.strong_station_id, pairing)
    stations = {
        station.pk: station
        for station in Station.objects.filter(county__company_id=company_id).select_related(
            "county"
        )
    }
    coordinates = pd.DataFrame.from_dict(
        {pk: (s.latitude, s.longitude) for pk, s in stations.items()},
        orient="index",
        columns=["latitude", "longitude"],
    )
    grades = month.grades[~month.grades.index.isin(list(busy))]
    weight_set = month.run.weight_set or effective_weight_set(company_id, period)
    weights, _higher = weight_series(weight_set)
    proposal = propose_pairing(month.normalised, grades, weights, coordinates=coordinates)
    return PairingMonth(month, proposal, start, stations, busy)


@dataclass(frozen=True)
class HelpRow:
    """A station graded yellow on an indicator, the department that should help it
    (None: the indicator has none), its raw value against the company median, and the
    help already in force at the start month for that station and indicator.
    ``station_grade``: the station's composite grade of the month."""

    department: str | None
    indicator: Indicator
    station: Station
    station_grade: str
    value: float | None
    median: float | None
    in_force: DepartmentHelp | None

    @property
    def key(self) -> str:
        return f"{self.station.pk}:{self.indicator.code}"


@dataclass(frozen=True)
class HelpMonth:
    month: MonthGrades
    start: date
    #: (department in the active language or None, its rows), None last.
    groups: list[tuple[str | None, list[HelpRow]]]

    @property
    def rows(self) -> list[HelpRow]:
        return [row for _department, rows in self.groups for row in rows]


def help_month(company_id: int, period: date) -> HelpMonth | None:
    """The department-help proposal of ``period`` (None when the month is not scored), by
    department as ``department_help`` orders them; within one, each indicator's stations
    weakest first."""
    month = month_grades(company_id, period)
    if month is None:
        return None
    start, _end = default_span(period)
    indicators = {
        indicator.code: indicator for indicator in Indicator.objects.filter(code__in=month.codes)
    }
    frame = department_help(
        month.indicator_grades, {code: item.department_label for code, item in indicators.items()}
    )
    station_ids = sorted({int(station_id) for station_id in frame["station"]})
    stations = Station.objects.filter(pk__in=station_ids).select_related("county").in_bulk()
    raw = month_values(station_ids, period)
    medians = month.raw_medians
    in_force = {
        (item.station_id, item.indicator.code): item
        for item in DepartmentHelp.objects.filter(
            station_id__in=station_ids, end_month__gte=start
        ).select_related("indicator")
    }
    groups: dict[str | None, list[HelpRow]] = {}
    for department, code, station_id in frame[["department", "indicator", "station"]].itertuples(
        index=False
    ):
        station_id = int(station_id)
        groups.setdefault(department, []).append(
            HelpRow(
                department=department,
                indicator=indicators[code],
                station=stations[station_id],
                station_grade=month.grades.get(station_id),
                value=raw.get(station_id, {}).get(code),
                median=medians.get(code),
                in_force=in_force.get((station_id, code)),
            )
        )
    position = {code: n for n, code in enumerate(month.codes)}
    normalised = month.normalised
    for rows in groups.values():  # each indicator's stations weakest first
        rows.sort(
            key=lambda row: (
                position[row.indicator.code],
                normalised.at[row.station.pk, row.indicator.code],
            )
        )
    return HelpMonth(month, start, list(groups.items()))
