"""How many stations a month has per grade and how many moved from each grade to each
other since the month before, counted in the database (GROUP BY), never by reading
the stations.

``month_counts`` is the one function the pages ask; when the recompute writes these
counts with each run (issue 16's per-run summaries) it can read them from there instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from scoring.engine.grades import GRADE_ORDER, grade_position
from scoring.models import ScoreRun, StationScore


@dataclass(frozen=True)
class MonthCounts:
    grades: dict[str, int]  # stations per grade this month (ungraded too)
    previous: dict[str, int] | None  # the month before's (None: it was not scored)
    #: (the month before's grade, this month's) → stations scored in both months.
    transitions: dict[tuple[str, str], int]

    def moved(self, up: bool) -> int:
        """Stations graded in both months that moved up (or down) a grade or more."""
        total = 0
        for (before, after), count in self.transitions.items():
            was, now = grade_position(before), grade_position(after)
            if was is None or now is None or was == now:
                continue
            if (was > now) == up:  # a lower position is a better grade
                total += count
        return total


#: How long a pair of runs' counts stay cached: a run's rows never change (a re-grade is
#: a new run), so this only bounds what an idle cache holds.
COUNTS_SECONDS = 24 * 60 * 60


def month_counts(run: ScoreRun, previous: ScoreRun | None) -> MonthCounts:
    """The month's grade counts, the month before's, and the moves between them: one
    aggregate over both months' rows, cached by the pair of runs."""
    if previous is None:
        return MonthCounts(grades=_grade_counts(run), previous=None, transitions={})
    key = f"improvement:month-counts:{run.pk}:{previous.pk}"
    found = cache.get(key)
    if found is None:
        found = _pair_counts(run, previous)
        cache.set(key, found, COUNTS_SECONDS)
    return found


def _grade_counts(run: ScoreRun) -> dict[str, int]:
    rows = StationScore.objects.filter(run=run).values("grade").annotate(count=Count("pk"))
    return {row["grade"]: row["count"] for row in rows.order_by()}


def _pair_counts(run: ScoreRun, previous: ScoreRun) -> MonthCounts:
    """Each station's grade in both months side by side (NULL where it was not scored),
    counted by pair: the counts of both months and the transitions in one scan."""
    table = StationScore._meta.db_table
    sql = f"""
        SELECT before_grade, grade, COUNT(*) FROM (
            SELECT station_id,
                   MAX(CASE WHEN run_id = %s THEN grade END) AS before_grade,
                   MAX(CASE WHEN run_id = %s THEN grade END) AS grade
            FROM {table}
            WHERE run_id IN (%s, %s)
            GROUP BY station_id
        ) pairs
        GROUP BY before_grade, grade
    """  # the table's name from the model; every value is a parameter
    grades: dict[str, int] = {}
    before: dict[str, int] = {}
    transitions: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [previous.pk, run.pk, previous.pk, run.pk])
        for was, now, count in cursor.fetchall():
            if now is not None:
                grades[now] = grades.get(now, 0) + count
            if was is not None:
                before[was] = before.get(was, 0) + count
            if now is not None and was is not None:
                transitions[(was, now)] = count
    return MonthCounts(grades=grades, previous=before, transitions=transitions)


def grade_position_of(field: str) -> Case:
    """0 (red) … 4 (yellow), -1 ungraded, of a grade column
    (``scoring.engine.grades.grade_position`` in SQL)."""
    return Case(
        *(When(**{field: code}, then=Value(position)) for position, code in enumerate(GRADE_ORDER)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def moves(run: ScoreRun, previous: ScoreRun, up: bool) -> QuerySet:
    """The stations graded in both months whose grade went up (or down), annotated with
    ``steps`` (grades gained: negative for a drop): the biggest move first, equal moves
    by this month's rank, then by station name (pinyin). (An untyped QuerySet: its rows carry
    annotations of the joined month the type checker cannot follow.)"""
    rows = (
        with_previous(run, previous)
        .filter(grade__in=GRADE_ORDER, before_grade__in=GRADE_ORDER)
        .annotate(steps=grade_position_of("before_grade") - grade_position_of("grade"))
    )
    rows = rows.filter(steps__gt=0) if up else rows.filter(steps__lt=0)
    biggest = F("steps").desc() if up else F("steps").asc()
    return rows.order_by(biggest, Coalesce("rank", 0), "station__sort_key", "station__code")


def with_previous(run: ScoreRun, previous: ScoreRun) -> QuerySet:
    """The run's rows of stations scored in both months, each with the month before's
    ``before_grade``, ``before_score`` and ``before_rank`` (one join)."""
    return (
        StationScore.objects.filter(run=run)
        .annotate(
            before=FilteredRelation("station__scores", condition=Q(station__scores__run=previous))
        )
        .filter(before__isnull=False)
        .annotate(
            before_grade=F("before__grade"),
            before_score=F("before__score"),
            before_rank=F("before__rank"),
        )
    )
