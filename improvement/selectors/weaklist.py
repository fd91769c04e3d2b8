"""A month's weak stations read in the database: counted, ordered and cut there, so a page
builds objects only for the rows it shows, whatever the size of the company.

The rule is ``improvement.engine.weakness`` (graded green or yellow, or yellow on any
indicator; worst first: yellow, then green, then by the number of yellow indicators,
then by station id as the month's frames are ordered); here it is one query over the
month's rows, comparing each indicator's stored normalised value with the number under
which it is yellow (``yellow_below``). ``tests/improvement/test_weaklist.py`` checks that
both give the same stations in the same order.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from improvement.engine.weakness import WEAK_GRADES, yellow_below
from improvement.selectors.monthcounts import grade_position_of
from improvement.selectors.months import month_codes
from indicators.periods import add_months
from mapviews.pagecache import generation
from scoring.engine.compute import NORMALISED_DECIMALS
from scoring.models import ScoreRun, StationScore


@dataclass(frozen=True)
class WeakCounts:
    total: int
    #: Weak stations with some work under way (a measure, pairing, help or project).
    attended: int

    @property
    def unattended(self) -> int:
        return self.total - self.attended


def _yellow_on(alias: str, below: float) -> Case:
    """1 when the aliased value is graded yellow (under ``below``), else 0 (no value: 0,
    as a comparison with NULL is not true: each value is read once)."""
    if math.isinf(below):
        return Case(When(Q(**{f"{alias}__isnull": False}), then=Value(1)), default=Value(0))
    return Case(When(Q(**{f"{alias}__lt": below}), then=Value(1)), default=Value(0))


def weak_scores(
    run: ScoreRun, county_id: int | None = None, codes: list[str] | None = None
) -> QuerySet[StationScore]:
    """The run's rows of weak stations, worst first, annotated with ``position`` (the
    grade's) and ``lagging`` (how many indicators are graded yellow); ``codes``: the
    run's ``month_codes`` when already read."""
    rows = StationScore.objects.filter(run=run)
    if county_id:
        rows = rows.filter(station__county_id=county_id)
    thresholds = (run.summary or {}).get("indicator_thresholds", {})
    lagging: list = []
    for index, code in enumerate(month_codes(run) if codes is None else codes):
        below = yellow_below(thresholds.get(code), NORMALISED_DECIMALS)
        if below is None:
            continue
        alias = f"indicator_{index}"
        value = Cast(KeyTextTransform(code, "normalised"), FloatField())
        rows = rows.alias(**{alias: value})
        lagging.append(_yellow_on(alias, below))
    count = sum(lagging[1:], lagging[0]) if lagging else Value(0)
    rows = rows.annotate(position=grade_position_of("grade"), lagging=count)
    return rows.filter(Q(grade__in=WEAK_GRADES) | Q(lagging__gt=0)).order_by(
        F("position").desc(), F("lagging").desc(), "station_id"
    )


#: How long a run's order of weak stations stays cached: a run's rows never change (a
#: re-grade is a new run), so this only bounds what an idle cache holds.
ORDER_SECONDS = 24 * 60 * 60


def weak_order(run: ScoreRun, county_id: int | None = None) -> array:
    """The ids of the run's weak stations, worst first (``weak_scores``), as a compact
    array cached by run and county: ordered once in the database, then every page of the
    month counts, filters and cuts it without reading the stations again."""
    # The data's generation too: a station moved to another county changes the order of a
    # county's list without a new run.
    key = f"improvement:weak-order:{run.pk}:{county_id or ''}:{generation()}"
    found = cache.get(key)
    if found is None:
        ids = weak_scores(run, county_id).values_list("station_id", flat=True)
        found = array("q", ids).tobytes()
        cache.set(key, found, ORDER_SECONDS)
    order = array("q")
    order.frombytes(found)
    return order


def weak_counts(order: Sequence[int], attended: Collection[int]) -> WeakCounts:
    """How many weak stations there are (``order``: ``weak_order``), and how many of them
    have work under way (``attended``: the ids of the stations with work)."""
    return WeakCounts(total=len(order), attended=sum(1 for sid in order if sid in attended))


def weak_streaks(
    company_id: int, period: date, months: int, station_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Months in a row each station was graded green or yellow, up to ``period``, looking
    back at most ``months`` months (``engine.weakness.streak``: a month not scored, or a
    station not in it, ends the run); stations with no such month are left out.

    One query: a station's n-th weak month counting back from ``period`` is part of its
    run exactly when it lies n − 1 months back."""
    first = add_months(period, -(months - 1))
    runs = list(
        ScoreRun.objects.filter(
            company_id=company_id, is_current=True, period__gte=first, period__lte=period
        ).values_list("pk", "period")
    )
    if not runs:
        return {}
    back = {run_id: _months_between(when, period) for run_id, when in runs}
    table = StationScore._meta.db_table
    months_back = " ".join(f"WHEN {int(run_id)} THEN {k}" for run_id, k in back.items())
    params: list = [*back, *WEAK_GRADES]
    chosen = ""
    if station_ids is not None:
        if not station_ids:
            return {}
        chosen = f" AND station_id IN ({', '.join(['%s'] * len(station_ids))})"
        params.extend(station_ids)
    sql = f"""
        SELECT station_id, COUNT(*) FROM (
            SELECT station_id,
                   CASE run_id {months_back} END AS back,
                   ROW_NUMBER() OVER (
                       PARTITION BY station_id ORDER BY period DESC
                   ) - 1 AS nth
            FROM {table}
            WHERE run_id IN ({", ".join(["%s"] * len(back))})
              AND grade IN ({", ".join(["%s"] * len(WEAK_GRADES))}){chosen}
        ) weak_months
        WHERE back = nth
        GROUP BY station_id
    """  # identifiers from the model, whole numbers; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(station_id): int(count) for station_id, count in cursor.fetchall()}


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month
