"""The monthly bulletin (月度通报) for the party committee, read once and rendered three
ways (page, Excel, PDF; ``improvement/reports/``). Read it in the language it is shown
in: its grades carry their labels as text.

For one published month: how many stations each colour has against last month, which
stations moved a grade, the weak stations with what is being done for them, and the
secretary projects with their progress read from the data. Everything a renderer needs
is here, so the three renderings cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from improvement.engine.progress import PROGRESS_GROUPS, Progress, progress_group
from improvement.engine.weakness import WEAK_GRADES, lagging_indicators, streak, weak_stations
from improvement.models import SecretaryProject
from improvement.selectors import (
    MonthGrades,
    StationWork,
    current_projects,
    grade_history,
    month_grades,
    projects_progress,
    work_by_station,
)
from improvement.selectors.months import as_station_id, month_contradiction, station_flags
from indicators.models import Indicator
from indicators.periods import add_months, period_range
from scoring.engine.gradechange import Contradiction
from scoring.engine.grades import GRADE_ORDER, UNGRADED
from scoring.grades import GradeDisplay, grade_display
from stations.models import Company, Station

#: How far back the weak streak is counted; a longer run shows as "24+".
STREAK_MONTHS = 24

#: Project groups in the order the bulletin lists them.


@dataclass(frozen=True)
class GradeCount:
    grade: GradeDisplay
    now: int
    before: int | None  # None: last month was not scored

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.now - self.before


@dataclass(frozen=True)
class StationMove:
    """A station whose grade changed since last month (both months graded)."""

    station: Station
    before: GradeDisplay
    after: GradeDisplay
    score_before: float | None
    score_now: float | None
    rank_before: int | None
    rank_now: int | None
    #: When the score did not move the grade's way: why (``scoring.engine.gradechange``).
    against_score: Contradiction | None = None

    @property
    def steps(self) -> int:
        """Grades gained: positive moved up (towards red), negative moved down."""
        before, after = self.before.position, self.after.position
        assert before is not None and after is not None  # a move is between two grades
        return before - after


@dataclass(frozen=True)
class WeakStation:
    station: Station
    grade: GradeDisplay
    score: float | None
    rank: int | None
    lagging: tuple[Indicator, ...]  # the indicators graded yellow on their own
    #: Months in a row graded green or yellow up to this one (0: weak only by indicators).
    weak_months: int
    work: StationWork

    @property
    def weak_months_capped(self) -> bool:
        """Weak for longer than the months counted (shown as "24+")."""
        return self.weak_months > STREAK_MONTHS

    @property
    def nothing_done(self) -> bool:
        return self.work.is_empty


@dataclass(frozen=True)
class ProjectLine:
    project: SecretaryProject
    progress: Progress
    group: str  # engine.progress.PROGRESS_GROUPS
    #: The project's end (completed or stopped) when it fell in the bulletin's month.
    ended_status: str | None

    @property
    def latest_grade(self) -> GradeDisplay | None:
        latest = self.progress.latest
        return grade_display(latest.grade) if latest is not None else None

    @property
    def goal(self) -> GradeDisplay:
        return grade_display(self.project.goal_grade)


@dataclass(frozen=True)
class Bulletin:
    company: Company
    period: date
    previous_period: date | None  # None when last month was not scored
    counts: tuple[GradeCount, ...]  # the five grades best first, ungraded when any
    moved_up: tuple[StationMove, ...]  # biggest moves first
    moved_down: tuple[StationMove, ...]  # biggest drops first
    weak: tuple[WeakStation, ...]  # worst first
    projects: tuple[ProjectLine, ...]  # on track, off track, no data yet

    @property
    def nothing_done_count(self) -> int:
        return sum(1 for station in self.weak if station.nothing_done)

    def count_of(self, grade: str) -> GradeCount:
        return next(count for count in self.counts if count.grade.code == grade)

    def projects_in(self, group: str) -> tuple[ProjectLine, ...]:
        return tuple(line for line in self.projects if line.group == group)


def read_bulletin(company: Company, period: date) -> Bulletin | None:
    """The bulletin of a published month (None when the month is not scored)."""
    now = month_grades(company.pk, period)
    if now is None:
        return None
    previous = add_months(period, -1)
    before = month_grades(company.pk, previous)
    station_ids = [int(station_id) for station_id in now.scores.index]
    stations = Station.objects.select_related("county").in_bulk(station_ids)
    weak_ids = [as_station_id(label) for label in weak_stations(now.grades, now.indicator_grades)]
    moves = _moves(now, before, stations)
    return Bulletin(
        company=company,
        period=period,
        previous_period=previous if before is not None else None,
        counts=_counts(now, before),
        moved_up=tuple(move for move in moves if move.steps > 0),
        moved_down=tuple(sorted((move for move in moves if move.steps < 0), key=_drop_order)),
        weak=_weak(company, now, weak_ids, stations),
        projects=_projects(company, period),
    )


def _counts(now: MonthGrades, before: MonthGrades | None) -> tuple[GradeCount, ...]:
    counts_now = now.grades.value_counts()
    counts_before = before.grades.value_counts() if before is not None else None
    shown = list(GRADE_ORDER)
    if counts_now.get(UNGRADED, 0) or (counts_before is not None and counts_before.get(UNGRADED)):
        shown.append(UNGRADED)
    return tuple(
        GradeCount(
            grade=grade_display(code),
            now=int(counts_now.get(code, 0)),
            before=None if counts_before is None else int(counts_before.get(code, 0)),
        )
        for code in shown
    )


def _moves(
    now: MonthGrades, before: MonthGrades | None, stations: dict[int, Station]
) -> list[StationMove]:
    """Every graded station whose grade changed, the biggest move up first (equal moves
    by this month's rank)."""
    if before is None:
        return []
    joined = now.scores.join(before.scores, how="inner", rsuffix="_before")
    changed = joined[joined["grade"] != joined["grade_before"]]
    ids = [int(station_id) for station_id in changed.index]
    flags = (station_flags(before.run, ids), station_flags(now.run, ids))
    moves = []
    for station_id, row in changed.iterrows():
        after, was = grade_display(row["grade"]), grade_display(row["grade_before"])
        if after.position is None or was.position is None:
            continue
        moves.append(
            StationMove(
                station=stations[int(station_id)],
                before=was,
                after=after,
                score_before=_number(row["score_before"]),
                score_now=_number(row["score"]),
                rank_before=_whole(row["rank_before"]),
                rank_now=_whole(row["rank"]),
                against_score=month_contradiction(before, now, int(station_id), flags),
            )
        )
    moves.sort(key=lambda move: (-move.steps, move.rank_now or 0, move.station.code))
    return moves


def _drop_order(move: StationMove) -> tuple:
    """The biggest drop first, equal drops by this month's rank."""
    return (move.steps, move.rank_now or 0, move.station.code)


def _weak(
    company: Company, now: MonthGrades, weak_ids: list[int], stations: dict[int, Station]
) -> tuple[WeakStation, ...]:
    if not weak_ids:
        return ()
    indicators = Indicator.objects.in_bulk(now.codes, field_name="code")
    streaks = _weak_streaks(company, weak_ids, now.period)
    work = work_by_station(weak_ids, now.period)
    weak = []
    for station_id in weak_ids:
        row = now.scores.loc[station_id]
        lagging = lagging_indicators(now.indicator_grades.loc[station_id])
        weak.append(
            WeakStation(
                station=stations[station_id],
                grade=grade_display(row["grade"]),
                score=_number(row["score"]),
                rank=_whole(row["rank"]),
                lagging=tuple(indicators[code] for code in lagging if code in indicators),
                weak_months=streaks.get(station_id, 0),
                work=work[station_id],
            )
        )
    return tuple(weak)


def _weak_streaks(company: Company, station_ids: list[int], period: date) -> dict[int, int]:
    """Months in a row each station was graded green or yellow, up to ``period``; a month
    not scored, or a station not in it, ends the run. One month more than
    ``STREAK_MONTHS`` is read, so that a longer run is known to be longer."""
    history = grade_history(company.pk, station_ids, period, STREAK_MONTHS + 1)
    months = period_range(add_months(period, -STREAK_MONTHS), period)
    graded = {month: found.grades.to_dict() for month, found in history.items()}
    return {
        station_id: streak([graded.get(month, {}).get(station_id) for month in months], WEAK_GRADES)
        for station_id in station_ids
    }


def _projects(company: Company, period: date) -> tuple[ProjectLine, ...]:
    """The projects running in the month (``current_projects``): one ended in the month
    is listed with that status, one ended later as it stood in the month."""
    listed = current_projects(period, company_id=company.pk)
    progress = projects_progress([project for project, _ended in listed], until=period)
    lines = [
        ProjectLine(
            project=project,
            progress=progress[project.pk],
            group=progress_group(progress[project.pk].state),
            ended_status=project.status if ended == period else None,
        )
        for project, ended in listed
    ]
    lines.sort(key=lambda line: PROGRESS_GROUPS.index(line.group))
    return tuple(lines)


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def _whole(value) -> int | None:
    return None if pd.isna(value) else int(value)
