"""What an import did to the grades of its months: how many stations changed colour (up,
down, newly graded), and whether the new grades are shown or wait as a re-grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from indicators.models import ImportBatch, ImportStatus
from indicators.periods import format_period, parse_period
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import GradeDisplay, grade_display
from scoring.models import RunStatus, ScoreRun, StationScore
from scoring.selectors import scores_run
from stations.models import Station

#: Stations named per month on an import's page (the count says how many more).
NAMED = 10


@dataclass(frozen=True)
class Moved:
    """A station whose colour an import changed: its code and name, before and after."""

    code: str
    name: str
    before: GradeDisplay
    after: GradeDisplay


@dataclass(frozen=True)
class MonthEffect:
    period: date
    graded: bool  # False: the month's new grades are not computed yet
    shown: bool  # True: the new grades are the month's shown ones (else a waiting re-grade)
    up: int = 0
    down: int = 0
    new: int = 0
    #: The first ``NAMED`` stations that changed colour, largest moves first.
    moved: tuple[Moved, ...] = ()

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def changed(self) -> int:
        return self.up + self.down


def import_effects(batch: ImportBatch) -> list[MonthEffect]:
    """One line per month of a loaded (not rolled back) import."""
    if batch.status != ImportStatus.DONE or batch.rolled_back_at or batch.company_id is None:
        return []
    found = []
    for text in batch.periods:
        period = parse_period(text)
        runs = ScoreRun.objects.filter(
            company_id=batch.company_id, period=period, status=RunStatus.DONE
        )
        before = runs.filter(created_at__lt=batch.created_at).order_by("-created_at", "-pk")
        # The run this import asked for: the first after it (a later import's runs are
        # that import's, so an older job's page keeps telling its own story).
        after = runs.filter(created_at__gte=batch.created_at).order_by("created_at", "pk")
        new_run = after.first()
        if new_run is None:
            found.append(MonthEffect(period, graded=False, shown=False))
            continue
        old_run = before.first()
        found.append(_compared(period, old_run, new_run))
    return found


def _compared(period: date, old_run: ScoreRun | None, new_run: ScoreRun) -> MonthEffect:
    rank = {grade: index for index, grade in enumerate(GRADE_ORDER)}
    new_scores = StationScore.objects.filter(run=scores_run(new_run))
    if old_run is not None:
        previous = StationScore.objects.filter(
            run=scores_run(old_run), station_id=OuterRef("station_id")
        ).values("grade")[:1]
        new_scores = new_scores.annotate(previous=Subquery(previous))
        pairs = new_scores.values_list("grade", "previous", "station_id")
    else:
        pairs = ((grade, None, sid) for grade, sid in new_scores.values_list("grade", "station_id"))
    up = down = new = 0
    changed: list[tuple[int, int, str, str]] = []  # (-size of the move, station, before, after)
    for grade, before, station_id in pairs:
        if grade not in rank:
            continue
        if before not in rank:
            new += 1
            continue
        if rank[grade] == rank[before]:
            continue
        if rank[grade] < rank[before]:
            up += 1
        else:
            down += 1
        changed.append((-abs(rank[grade] - rank[before]), station_id, before, grade))
    changed.sort()
    names = Station.objects.in_bulk([station_id for _, station_id, _, _ in changed[:NAMED]])
    moved = tuple(
        Moved(names[sid].code, names[sid].name, grade_display(before), grade_display(after))
        for _, sid, before, after in changed[:NAMED]
    )
    # Shown: the month's grades now, or published since, or the same as before (a run that
    # found its inputs unchanged changes nothing, so nothing waits).
    shown = new_run.is_current or new_run.published_at is not None or new_run.unchanged
    return MonthEffect(period, graded=True, shown=shown, up=up, down=down, new=new, moved=moved)
