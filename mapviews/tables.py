"""Reads of the long tables (ranking, indicator matrix, history's moves): sorted, paged and
counted in SQL, so a page builds objects only for the rows it shows, whatever the
company's size (issue 16)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.db import connection
from django.db.models import (
    Count,
    Expression,
    F,
    FilteredRelation,
    FloatField,
    OrderBy,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import IsNull

from indicators.models import Indicator
from indicators.periods import previous_period
from mapviews.selectors import RankingRow
from mapviews.transitions import ABSENT, CATEGORIES
from scoring.engine.grades import ALL_GRADES, grade_position
from scoring.grades import NOT_SCORED, all_grade_displays, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.selectors import run_grade_counts
from stations.models import Station


def ordered(
    key: Expression | tuple[Expression, ...], descending: bool, *then: Expression | OrderBy
) -> list:
    """``mapviews.sorting.sort_rows`` in SQL: by ``key`` (or by each of several keys),
    rows without a value last in either direction, then in the table's own order
    (``then``)."""
    keys = key if isinstance(key, tuple) else (key,)
    first = [k.desc(nulls_last=True) if descending else k.asc(nulls_last=True) for k in keys]
    return [*first, *then]


# --- The ranking ------------------------------------------------------------------


@dataclass(frozen=True)
class RankingTable:
    """The month's ranking as one query of stations (``stations``, unordered), and the
    shown run it reads (None: the month has none)."""

    stations: QuerySet
    run_id: int | None
    county_id: int | None

    #: Sort keys of the page (``?sort=``) and their SQL (names by pinyin; counties in
    #: their listed order: ``stations.models.COUNTY_ORDER``).
    SORTS: ClassVar[dict[str, Expression | tuple[Expression, ...]]] = {
        "rank": F("month_rank"),
        "station": F("sort_key"),
        "county": (F("county__sort_order"), F("county__sort_key")),
        "score": F("month_score"),
        "change": F("rank_change"),
    }

    def in_order(self, key: str, descending: bool) -> QuerySet:
        """Every row in the order the page shows: by ``key``, then as ``ranking_rows``
        lists them (best rank first; ungraded by name; stations the run did not include
        last, by name: pinyin, then code)."""
        default = [
            F("month_rank").asc(nulls_last=True),
            IsNull(F("scored"), True).asc(),
            F("sort_key").asc(),
            F("code").asc(),
        ]
        return self.stations.order_by(*ordered(self.SORTS[key], descending, *default))

    def totals(self) -> tuple[int, dict[str, int]]:
        """How many rows, and stations per grade, every grade present
        (``selectors.grade_counts`` of every row): the run's stored counts, and its
        stations not scored yet counted with the rows (two queries)."""
        found = self.stations.aggregate(
            rows=Count("pk"), unscored=Count("pk", filter=Q(scored__isnull=True))
        )
        counts = {display.code: 0 for display in all_grade_displays()}
        if self.run_id is not None:
            stored = run_grade_counts([self.run_id], self.county_id)[self.run_id]
            for grade, stations in stored.items():
                counts[grade_display(grade).code] += stations
        counts[grade_display(None).code] += found["unscored"]
        return found["rows"], counts


def ranking_table(
    company_id: int,
    period: date,
    county_id: int | None = None,
    shown_runs: Iterable[ScoreRun] | None = None,
) -> RankingTable:
    """The month's ranking (``selectors.ranking_rows``) as a query: every station of
    the month's shown run and every active station it did not include, each annotated
    with its score of the month and its rank and grade of the month before.
    ``shown_runs``: the company's shown runs when the caller has them (else one query)."""
    if shown_runs is None:
        shown_runs = ScoreRun.objects.filter(
            company_id=company_id, is_current=True, period__in=[period, previous_period(period)]
        ).only("period")
    runs = {run.period: run.pk for run in shown_runs}
    run_id = runs.get(period)
    stations = Station.objects.filter(county__company_id=company_id)
    if county_id:
        stations = stations.filter(county_id=county_id)
    stations = (
        stations.annotate(
            now=FilteredRelation("scores", condition=Q(scores__run_id=run_id or 0)),
            before=FilteredRelation(
                "scores", condition=Q(scores__run_id=runs.get(previous_period(period), 0))
            ),
        )
        .filter(Q(now__isnull=False) | Q(active=True))
        .annotate(
            scored=F("now__id"),
            month_score=F("now__score"),
            month_rank=F("now__rank"),
            month_grade=F("now__grade"),
            month_reason=F("now__ungraded_reason"),
            month_coverage=F("now__coverage"),
            before_scored=F("before__id"),
            before_rank=F("before__rank"),
            before_grade=F("before__grade"),
            rank_change=F("before__rank") - F("now__rank"),
        )
        .select_related("county")
    )
    return RankingTable(stations=stations, run_id=run_id, county_id=county_id)


def ranking_rows(stations: Iterable[Station]) -> list[RankingRow]:
    """The rows of a page of ``RankingTable.in_order``."""
    not_scored = grade_display(None)
    return [
        RankingRow(
            station=station,
            score=station.month_score,
            rank=station.month_rank,
            grade=grade_display(station.month_grade) if station.scored else not_scored,
            ungraded_reason=station.month_reason if station.scored else NOT_SCORED,
            coverage=station.month_coverage if station.scored else 0.0,
            previous_rank=station.before_rank,
            previous_grade=grade_display(station.before_grade) if station.before_scored else None,
        )
        for station in stations
    ]


# --- The indicator matrix ----------------------------------------------------------


def matrix_order(key: str, indicators: list[Indicator], descending: bool) -> list | None:
    """The order of the matrix's ``?sort=`` key (None: not a key of the page): by rank,
    station, county, score or one indicator's normalised value, then best rank first."""
    keys: dict[str, Expression | tuple[Expression, ...]] = {
        "rank": F("rank"),
        "station": F("station__sort_key"),
        "county": (F("station__county__sort_order"), F("station__county__sort_key")),
        "score": F("score"),
    }
    for indicator in indicators:
        keys[f"i-{indicator.code}"] = Cast(
            KeyTextTransform(indicator.code, "normalised"), FloatField()
        )
    if key not in keys:
        return None
    return ordered(
        keys[key],
        descending,
        F("rank").asc(nulls_last=True),
        F("station__sort_key").asc(),
        F("station__code").asc(),
    )


def matrix_sort_keys(indicators: list[Indicator]) -> list[str]:
    return ["rank", "station", "county", "score", *(f"i-{i.code}" for i in indicators)]


# --- History: the moves between two months ---------------------------------------------


@dataclass(frozen=True)
class MonthMoves:
    """Stations by (grade in the first month, grade in the second), ``ABSENT`` for a
    station in only one of them (``transitions.grade_transitions``' counts), and the
    largest moves up and down (station id and grade in the first month, at most ``shown``
    each, largest first, then by station id)."""

    counts: dict[tuple[str, str], int]
    up: list[tuple[int, str]]
    down: list[tuple[int, str]]

    @property
    def up_count(self) -> int:
        return self._moved(lambda steps: steps > 0)

    @property
    def down_count(self) -> int:
        return self._moved(lambda steps: steps < 0)

    def _moved(self, test) -> int:
        total = 0
        for (old, new), stations in self.counts.items():
            old_position, new_position = grade_position(old), grade_position(new)
            if old_position is None or new_position is None:
                continue
            if test(old_position - new_position):
                total += stations
        return total


def _position_sql(column: str) -> str:
    """A grade's position (0 = best) in SQL, NULL for ungraded."""
    cases = " ".join(
        f"WHEN '{grade}' THEN {grade_position(grade)}"
        for grade in ALL_GRADES
        if grade_position(grade) is not None
    )
    return f"(CASE {column} {cases} END)"


def month_moves(
    before_run: int, after_run: int, county_id: int | None = None, shown: int = 50
) -> MonthMoves:
    """How a county's or the company's stations moved between two runs, counted and
    listed in SQL (two queries, no score rows built)."""
    table = StationScore._meta.db_table
    station_table = Station._meta.db_table
    in_county = ""
    params: list = [before_run, after_run]
    if county_id:
        in_county = f"JOIN {station_table} st ON st.id = s.station_id AND st.county_id = %s"
        params = [county_id, before_run, county_id, after_run]
    sides = f"""
        b AS (SELECT s.station_id, s.grade FROM {table} s {in_county} WHERE s.run_id = %s),
        a AS (SELECT s.station_id, s.grade FROM {table} s {in_county} WHERE s.run_id = %s)
    """
    counts = {(old, new): 0 for old in CATEGORIES for new in CATEGORIES}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH {sides}
            SELECT COALESCE(b.grade, %s), COALESCE(a.grade, %s), COUNT(*)
            FROM b FULL OUTER JOIN a ON a.station_id = b.station_id
            GROUP BY 1, 2""",
            [*params, ABSENT, ABSENT],
        )
        for old, new, stations in cursor.fetchall():
            counts[(old, new)] = counts.get((old, new), 0) + stations
        # The largest moves up and down, each list bounded: one pass over the two runs'
        # rows joined by their (run, station) index, numbered in each direction.
        county_join = ""
        list_params: list = [after_run, before_run]
        if county_id:
            county_join = f"JOIN {station_table} st ON st.id = b.station_id AND st.county_id = %s"
            list_params = [after_run, county_id, before_run]
        moved = f"""SELECT a.station_id, b.grade,
                {_position_sql("b.grade")} - {_position_sql("a.grade")} AS steps
            FROM {table} b JOIN {table} a ON a.station_id = b.station_id AND a.run_id = %s
            {county_join} WHERE b.run_id = %s"""
        cursor.execute(
            f"""SELECT up, station_id, grade, size FROM (
                SELECT CASE WHEN steps > 0 THEN 1 ELSE 0 END AS up, station_id, grade,
                    ABS(steps) AS size,
                    ROW_NUMBER() OVER (
                        PARTITION BY steps > 0 ORDER BY ABS(steps) DESC, station_id
                    ) AS place
                FROM ({moved}) m WHERE steps <> 0) ranked
            WHERE place <= %s ORDER BY up, size DESC, station_id""",
            [*list_params, shown],
        )
        lists: dict[int, list[tuple[int, str]]] = {0: [], 1: []}
        for up, station_id, grade, _size in cursor.fetchall():
            lists[up].append((station_id, grade))
    return MonthMoves(counts=counts, up=lists[1], down=lists[0])
