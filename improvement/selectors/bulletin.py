"""The monthly bulletin (月度通报) for the party committee, read once and rendered three
ways (page, Excel, PDF; ``improvement/reports/``). Read it in the language it is shown
in: its grades carry their labels as text.

For one published month: how many stations each colour has against last month, which
stations moved a grade, the weak stations with what is being done for them, and the
secretary projects with their progress read from the data. Everything a renderer needs
is here, so the three renderings cannot disagree.

Every list is bounded: counted in the database, it shows its first ``SHOWN`` rows
(``Listing``) and the rest are a download of the whole list (``read_bulletin`` with
``limit=None`` for that list), so the bulletin of a 30,000-station company is as long
as a small one's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from django.db.models import F

from improvement.engine.progress import PROGRESS_GROUPS, Progress, progress_group
from improvement.engine.weakness import lagging_indicators
from improvement.models import SecretaryProject
from improvement.selectors import (
    StationWork,
    current_projects,
    projects_progress,
)
from improvement.selectors.monthcounts import MonthCounts, month_counts, moves
from improvement.selectors.months import MONTH_ROW, month_codes, month_frames
from improvement.selectors.weaklist import weak_counts, weak_order, weak_streaks
from improvement.selectors.work import company_work
from indicators.models import Indicator
from indicators.periods import add_months
from scoring.engine.gradechange import Contradiction
from scoring.engine.grades import GRADE_ORDER, UNGRADED
from scoring.gradechange import score_contradiction
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.monthstate import is_provisional
from scoring.selectors import current_run
from stations.models import Company, Station

#: How far back the weak streak is counted; a longer run shows as "24+".
STREAK_MONTHS = 24
#: Rows of each list the bulletin shows (moves up, moves down, weak stations, the projects
#: of each progress group): the demo company's 60 stations have 36–44 weak stations a
#: month and at most 14 moves each way, so its bulletin is never cut.
SHOWN = 50
#: The bulletin's lists, as the downloads of whole lists name them.
MOVES, WEAK, PROJECTS = "moves", "weak", "projects"
LISTS: tuple[str, ...] = (MOVES, WEAK, PROJECTS)

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first rows of a list, and how long the whole list is."""

    rows: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        """Rows not shown."""
        return self.total - len(self.rows)


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
    moved_up: Listing[StationMove]  # biggest moves first
    moved_down: Listing[StationMove]  # biggest drops first
    weak: Listing[WeakStation]  # worst first
    nothing_done_count: int  # weak stations with nothing being done
    projects: tuple[ProjectLine, ...]  # on track, off track, no data yet
    #: Rows shown of each list (None: every row).
    limit: int | None = SHOWN
    #: The month's grades are under review (month close): said in the title of each format.
    provisional: bool = False

    def count_of(self, grade: str) -> GradeCount:
        return next(count for count in self.counts if count.grade.code == grade)

    def projects_in(self, group: str) -> tuple[ProjectLine, ...]:
        return tuple(line for line in self.projects if line.group == group)

    def projects_shown(self, group: str) -> Listing[ProjectLine]:
        """The group's projects as the bulletin lists them (at most ``limit``)."""
        lines = self.projects_in(group)
        return Listing(lines[: self.limit], len(lines))

    @property
    def moves_cut(self) -> bool:
        return bool(self.moved_up.more or self.moved_down.more)


def read_bulletin(
    company: Company,
    period: date,
    limit: int | None = SHOWN,
    lists: Collection[str] = LISTS,
) -> Bulletin | None:
    """The bulletin of a published month (None when the month is not scored), each list
    cut to its first ``limit`` rows (None: whole). Lists not in ``lists`` are only
    counted (a download of one whole list reads no other)."""
    run = current_run(company.pk, period)
    if run is None:
        return None
    previous = add_months(period, -1)
    before = current_run(company.pk, previous)
    counts = month_counts(run, before)
    work = company_work(company.pk, period)
    codes = month_codes(run)
    order = weak_order(run)
    weak_count = weak_counts(order, work)
    shown = limit if WEAK in lists else 0
    moves_shown = limit if MOVES in lists else 0
    return Bulletin(
        company=company,
        period=period,
        previous_period=previous if before is not None else None,
        counts=_counts(counts),
        moved_up=_moves(run, before, counts, True, moves_shown),
        moved_down=_moves(run, before, counts, False, moves_shown),
        weak=_weak(company, run, codes, order, shown, work),
        nothing_done_count=weak_count.unattended,
        projects=_projects(company, period) if PROJECTS in lists else (),
        provisional=is_provisional(run),
        limit=limit,
    )


def _counts(counts: MonthCounts) -> tuple[GradeCount, ...]:
    shown = list(GRADE_ORDER)
    if counts.grades.get(UNGRADED) or (counts.previous and counts.previous.get(UNGRADED)):
        shown.append(UNGRADED)
    return tuple(
        GradeCount(
            grade=grade_display(code),
            now=counts.grades.get(code, 0),
            before=None if counts.previous is None else counts.previous.get(code, 0),
        )
        for code in shown
    )


def _moves(
    run: ScoreRun, before: ScoreRun | None, counts: MonthCounts, up: bool, limit: int | None
) -> Listing[StationMove]:
    """The graded stations whose grade went up (or down): the biggest move first, equal
    moves by this month's rank."""
    total = counts.moved(up)
    if before is None or not total or limit == 0:
        return Listing((), total)
    rows = moves(run, before, up).annotate(before_flags=F("before__flags"))
    rows = rows.select_related("station__county")
    listed = tuple(
        StationMove(
            station=row.station,
            before=grade_display(row.before_grade),
            after=grade_display(row.grade),
            score_before=row.before_score,
            score_now=row.score,
            rank_before=row.before_rank,
            rank_now=row.rank,
            against_score=score_contradiction(
                (before, row.before_grade, row.before_score, row.before_flags),
                (run, row.grade, row.score, row.flags),
            ),
        )
        for row in (rows if limit is None else rows[:limit])
    )
    return Listing(listed, total)


def _weak(
    company: Company,
    run: ScoreRun,
    codes: list[str],
    order: Sequence[int],
    limit: int | None,
    work: dict[int, StationWork],
) -> Listing[WeakStation]:
    """The weak stations listed (``order``: all of them, worst first), read whole."""
    station_ids = list(order if limit is None else order[:limit])
    if not station_ids:
        return Listing((), len(order))
    rows = StationScore.objects.filter(run=run, station_id__in=station_ids)
    by_station = {row.station_id: row for row in rows.select_related("station__county")}
    found = [by_station[station_id] for station_id in station_ids]
    month = month_frames(
        run, codes, [tuple(getattr(row, name) for name in MONTH_ROW) for row in found]
    )
    indicators = Indicator.objects.in_bulk(codes, field_name="code")
    streaks = weak_streaks(
        company.pk,
        run.period,
        STREAK_MONTHS + 1,  # one month more, so that a longer run is known to be longer
        station_ids if limit is not None else None,
    )
    listed = []
    for row in found:
        lagging = lagging_indicators(month.indicator_grades.loc[row.station_id])
        listed.append(
            WeakStation(
                station=row.station,
                grade=grade_display(row.grade),
                score=row.score,
                rank=row.rank,
                lagging=tuple(indicators[code] for code in lagging if code in indicators),
                weak_months=streaks.get(row.station_id, 0),
                work=work.get(row.station_id) or StationWork(),
            )
        )
    return Listing(tuple(listed), len(order))


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
