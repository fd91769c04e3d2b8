"""Reads for the pages: a few queries each, shaped for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from indicators.models import Indicator, IndicatorValue, ValueHistory
from indicators.periods import add_months, previous_period
from scoring.engine import grade_from_thresholds
from scoring.grades import NOT_SCORED, GradeDisplay, all_grade_displays, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.selectors import current_scores, month_rows, run_grade_counts
from stations.models import STATION_ORDER, Station
from stations.roles import own_station_id


def own_score(user, company_id: int, period: date) -> StationScore | None:
    """The viewer's own station's shown result for the month, if they have a station."""
    station_id = own_station_id(user)
    if station_id is None:
        return None
    return current_scores(company_id, period).filter(station_id=station_id).first()


@dataclass(frozen=True)
class RankingRow:
    station: Station
    score: float | None
    rank: int | None
    grade: GradeDisplay
    ungraded_reason: str
    coverage: float
    previous_rank: int | None
    previous_grade: GradeDisplay | None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive = moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def grade_change(self) -> int | None:
        """Grades gained since last month (positive = better colour)."""
        if self.grade.position is None or not self.previous_grade:
            return None
        if self.previous_grade.position is None:
            return None
        return self.previous_grade.position - self.grade.position


def ranking_rows(company_id: int, period: date, county_id: int | None = None) -> list[RankingRow]:
    """Every station of the month: those of its shown run, best rank first, then
    today's active stations the run did not include (added since), as ungraded
    with the reason "not scored yet". The map, ranking and widget all count these."""
    scores = current_scores(company_id, period, county_id)
    previous = {
        row["station_id"]: row
        for row in month_rows(company_id, previous_period(period)).values(
            "station_id", "rank", "grade"
        )
    }
    rows = []
    for score in scores:
        before = previous.get(score.station_id)
        rows.append(
            RankingRow(
                station=score.station,
                score=score.score,
                rank=score.rank,
                grade=grade_display(score.grade),
                ungraded_reason=score.ungraded_reason,
                coverage=score.coverage,
                previous_rank=before["rank"] if before else None,
                previous_grade=grade_display(before["grade"]) if before else None,
            )
        )
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.station.code))
    not_scored = grade_display(None)
    for station in unscored_stations(company_id, period, county_id):
        before = previous.get(station.pk)
        rows.append(
            RankingRow(
                station=station,
                score=None,
                rank=None,
                grade=not_scored,
                ungraded_reason=NOT_SCORED,
                coverage=0.0,
                previous_rank=before["rank"] if before else None,
                previous_grade=grade_display(before["grade"]) if before else None,
            )
        )
    return rows


def grade_counts(rows: list[RankingRow]) -> dict[str, int]:
    """Stations per grade, every grade present (the legends' numbers)."""
    counts = {display.code: 0 for display in all_grade_displays()}
    for row in rows:
        counts[row.grade.code] += 1
    return counts


def month_grade_counts(
    company_id: int, period: date, county_id: int | None = None
) -> dict[str, int]:
    """``grade_counts(ranking_rows(…))`` counted in SQL (two queries, no rows built):
    the month's shown scores per grade, and the active stations its run did not
    include, ungraded."""
    counts = {display.code: 0 for display in all_grade_displays()}
    scores = month_rows(company_id, period)
    if county_id:
        scores = scores.filter(station__county_id=county_id)
    for grade, count in scores.values_list("grade").annotate(count=Count("id")).order_by():
        counts[grade_display(grade).code] += count
    unscored = len(unscored_stations(company_id, period, county_id))
    counts[grade_display(None).code] += unscored
    return counts


def legend(counts: dict[str, int]) -> list[tuple[GradeDisplay, int]]:
    """(grade, stations) for the legend: the five grades best first, then grey."""
    return [(display, counts.get(display.code, 0)) for display in all_grade_displays()]


def station_history(station: Station) -> list[StationScore]:
    """The station's shown result for every scored month, oldest first."""
    return list(
        StationScore.objects.filter(station=station, run__is_current=True)
        .select_related("run")
        .order_by("period")
    )


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    value: float | None
    normalised: float | None
    grade: GradeDisplay
    median: float | None


def indicator_row(
    score: StationScore, raw: dict[str, float], indicators: list[Indicator], summary: dict
) -> list[IndicatorLine]:
    """One station's indicators in the month of ``summary`` (its run's): raw value,
    normalised value, the indicator's own grade and the company median."""
    medians = summary.get("indicator_medians", {})
    thresholds = summary.get("indicator_thresholds", {})
    return [
        IndicatorLine(
            indicator,
            raw.get(indicator.code),
            score.normalised.get(indicator.code),
            grade_display(
                grade_from_thresholds(
                    score.normalised.get(indicator.code), thresholds.get(indicator.code)
                )
            ),
            medians.get(indicator.code),
        )
        for indicator in indicators
    ]


def indicator_lines(station: Station, score: StationScore | None) -> list[IndicatorLine]:
    """The station's indicators in the score's month (``station_lines``)."""
    return station_lines(station, score)[0]


def station_lines(station: Station, score: StationScore | None) -> tuple[list[IndicatorLine], bool]:
    """The station's indicators in the score's month, weakest first (worst
    indicator grade, then lowest normalised value): raw value as the score's run read
    it, normalised value, the indicator's own grade and the company median of the raw
    value. Indicators without a value come last, in their usual order. And whether the
    station has newer values of the month than its run read (``month_values``)."""
    if score is None:
        return [], False
    read = month_values([station.pk], score.period, score.run)
    raw = read.values.get(station.pk, {})
    lines = indicator_row(score, raw, indicators_in_force(score.period), score.run.summary)
    ordered = sorted(
        lines,
        key=lambda line: (
            line.normalised is None,
            -(line.grade.position if line.grade.position is not None else -1),
            line.normalised or 0,
        ),
    )
    return ordered, bool(read.newer)


def unscored_stations(company_id: int, period: date, county_id: int | None = None) -> list[Station]:
    """Active stations the month's shown run did not include (added after it ran)."""
    scored = StationScore.objects.filter(
        station=OuterRef("pk"), run__is_current=True, period=period
    )
    stations = Station.objects.filter(county__company_id=company_id, active=True)
    if county_id:
        stations = stations.filter(county_id=county_id)
    return list(stations.filter(~Exists(scored)).select_related("county").order_by(*STATION_ORDER))


def score_trails(
    station_ids: list[int], period: date, months: int
) -> dict[int, list[tuple[date, float | None, str]]]:
    """Each listed station's (month, score, grade) for the ``months`` months up to ``period``."""
    first = add_months(period, -(months - 1))
    rows = StationScore.objects.filter(
        station_id__in=station_ids, run__is_current=True, period__gte=first, period__lte=period
    )
    trails: dict[int, list[tuple[date, float | None, str]]] = {}
    for station_id, month, score, grade in rows.order_by("period").values_list(
        "station_id", "period", "score", "grade"
    ):
        trails.setdefault(station_id, []).append((month, score, grade))
    return trails


@dataclass(frozen=True)
class RunValues:
    """The raw values a run was computed with: {station id: {indicator code: value}},
    and the stations with newer values than the run's (they wait for a later run)."""

    values: dict[int, dict[str, float]]
    newer: frozenset[int]


def run_time(run: ScoreRun) -> datetime:
    """When the run read its inputs: values written before then are the ones it used."""
    return run.started_at or run.finished_at or run.created_at


def month_values(station_ids: list[int], period: date, run: ScoreRun) -> RunValues:
    """Raw values of the month as ``run`` read them (one query): a value written after
    the run (by a later import, whose re-grade may wait for an administrator) is replaced
    by the one it replaced (``ValueHistory``, each replaced value with the batch that
    wrote it and the batch that replaced it), and a value that did not exist then is left
    out; the stations with such newer values are named in ``newer``."""
    at = run_time(run)
    written = Coalesce("batch__finished_at", "batch__created_at")
    current = (
        IndicatorValue.objects.filter(station_id__in=station_ids, period=period)
        .alias(written_at=written)
        .annotate(newer=ExpressionWrapper(Q(written_at__gt=at), output_field=BooleanField()))
        .values_list("station_id", "indicator__code", "value", "newer")
    )
    replaced = (
        ValueHistory.objects.filter(station_id__in=station_ids, period=period)
        .alias(
            written_at=written,
            replaced_at=Coalesce("replaced_by__finished_at", "replaced_by__created_at"),
        )
        .filter(written_at__lte=at, replaced_at__gt=at)
        .annotate(newer=Value(False, output_field=BooleanField()))
        .values_list("station_id", "indicator__code", "value", "newer")
    )
    values: dict[int, dict[str, float]] = {}
    newer: set[int] = set()
    for station_id, code, value, is_newer in current.union(replaced, all=True):
        if is_newer:
            newer.add(station_id)
        else:
            values.setdefault(station_id, {})[code] = value
    return RunValues(values, frozenset(newer))


def indicators_in_force(period: date) -> list[Indicator]:
    """The indicators that count in the month, in display order (a retired one is
    listed for the months before its retirement only)."""
    return list(Indicator.objects.in_force(period).order_by("display_order", "code"))


def grade_counts_by_month(
    company_id: int, county_id: int | None = None, shown_runs: list[ScoreRun] | None = None
) -> list[tuple]:
    """(month, grade, count) of every scored month, oldest first, grades without
    stations left out: the counts each run stored (``scoring.selectors.run_grade_counts``).
    ``shown_runs``: the company's shown runs when the caller has them (else one query)."""
    if shown_runs is None:
        shown_runs = list(ScoreRun.objects.filter(company_id=company_id, is_current=True))
    counts = run_grade_counts([run.pk for run in shown_runs], county_id)
    return [
        (run.period, grade, stations)
        for run in sorted(shown_runs, key=lambda run: run.period)
        for grade, stations in sorted(counts[run.pk].items())
        if stations
    ]


#: How many county peers the station page lists on each side of the station.
PEER_WINDOW = 5


@dataclass(frozen=True)
class CountyPeers:
    """The stations ranked around one station in its county (best rank first), out of
    ``total``; ``first`` is the position (1-based) of the first row shown."""

    rows: list[StationScore]
    total: int
    first: int

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def partial(self) -> bool:
        return len(self.rows) < self.total

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self):
        return iter(self.rows)


def county_peers(station: Station, period: date, window: int = PEER_WINDOW) -> CountyPeers:
    """The station's county peers of the month around it: ``window`` rows on each side in
    the county's order (rank, then name, then code), read in a few bounded queries whatever the
    county's size (a county of 3,000 stations lists 11, not 3,000)."""
    peers = current_scores(station.county.company_id, period, station.county_id)
    found = list(peers.filter(station=station).values_list("rank", flat=True)[:1])
    shown = 2 * window + 1
    if not found:  # no score this month: the top of the county
        return CountyPeers(rows=list(peers[:shown]), total=peers.count(), first=1)
    own = found[0]
    # Ahead of it: the order ``current_scores`` lists (rank, then the name's pinyin key,
    # then the code), so that the window is counted as it is shown.
    listed_before = Q(station__sort_key__lt=station.sort_key) | Q(
        station__sort_key=station.sort_key, station__code__lt=station.code
    )
    if own is None:  # unranked: after every ranked station
        ahead = Q(rank__isnull=False) | (Q(rank__isnull=True) & listed_before)
    else:
        ahead = Q(rank__lt=own) | (Q(rank=own) & listed_before)
    counts = peers.aggregate(total=Count("id"), before=Count("id", filter=ahead))
    total, before = counts["total"], counts["before"]
    start = max(0, min(before - window, total - shown))
    return CountyPeers(rows=list(peers[start : start + shown]), total=total, first=start + 1)


def active_station_count(company_id: int, county_id: int | None = None) -> int:
    """The company's (or county's) active stations: one COUNT."""
    stations = Station.objects.filter(county__company_id=company_id, active=True)
    if county_id:
        stations = stations.filter(county_id=county_id)
    return stations.count()


def county_grade_counts(company_id: int, period: date) -> dict[int, dict[str, int]]:
    """County → stations per grade code in the month's shown run, the active stations it
    did not include counted ungraded (two grouped queries, no row built)."""
    counts: dict[int, dict[str, int]] = {}
    grouped = (
        month_rows(company_id, period)
        .values_list("station__county_id", "grade")
        .annotate(count=Count("id"))
        .order_by()
    )
    for county_id, grade, count in grouped:
        code = grade_display(grade).code
        row = counts.setdefault(county_id, {})
        row[code] = row.get(code, 0) + count
    missing = (
        Station.objects.filter(county__company_id=company_id, active=True)
        .exclude(pk__in=month_rows(company_id, period).values("station_id"))
        .values_list("county_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    ungraded = grade_display(None).code
    for county_id, count in missing:
        row = counts.setdefault(county_id, {})
        row[ungraded] = row.get(ungraded, 0) + count
    return counts


def station_place(station_id: int) -> Station | None:
    """The station's code and county (one small query), or None."""
    return Station.objects.filter(pk=station_id).only("code", "county_id").first()


@dataclass(frozen=True)
class OwnMonth:
    """The viewer's station in a month and the month before (``own_month``): grade
    codes, rank, and how many stations were graded (None: not in that month's run)."""

    name: str
    grade: str | None
    rank: int | None
    graded: int
    previous_grade: str | None
    #: Whether there is a month before to compare with.
    has_previous: bool


def own_month(station_id: int, run: ScoreRun, previous: ScoreRun | None) -> OwnMonth | None:
    """The station's grade and rank in ``run`` and its grade in ``previous`` (one query
    for the scores, one for the name); None when the station is gone."""
    name = Station.objects.filter(pk=station_id).values_list("name", flat=True).first()
    if name is None:
        return None
    runs = [run.pk] + ([previous.pk] if previous is not None else [])
    rows = {
        run_id: (grade, rank)
        for run_id, grade, rank in StationScore.objects.filter(
            station_id=station_id, run_id__in=runs
        ).values_list("run_id", "grade", "rank")
    }
    grade, rank = rows.get(run.pk, (None, None))
    before = rows.get(previous.pk) if previous is not None else None
    return OwnMonth(
        name=name,
        grade=grade,
        rank=rank,
        graded=run.graded_count or 0,
        previous_grade=before[0] if before else None,
        has_previous=previous is not None,
    )
