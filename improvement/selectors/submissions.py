"""What has arrived for a company-month: counts per indicator, the first rows of what is
missing and of what looks wrong, and the full lists for download.

Bounded at any size: the counts are one ``GROUP BY``; the missing pairs (active station ×
indicator in force, without a value) and the values at the edge of their range are read
in SQL, counted and cut at ``ROWS_SHOWN``; the full lists are streamed by the downloads
(``missing_rows`` / ``anomaly_rows``). Jumps need each pair's history: the page reads the
month and its 12 months before of **one** indicator at a time (30,000 stations: 390,000
values, 3–4 s; the month's report is kept under the data generation), the download all of them
(``improvement.engine.submissions.find_jumps`` does the arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q

from improvement.engine.submissions import (
    EDGE_SHARE,
    HISTORY_MONTHS,
    due_date,
    find_jumps,
    is_late,
)
from improvement.models import DepartmentMember
from indicators.models import Indicator, IndicatorValue
from indicators.periods import add_months
from mapviews.pagecache import generation
from stations.models import Company, County, Station
from stations.roles import can_close_months

#: Rows of each list shown on the page; the downloads hold them all.
ROWS_SHOWN = 50
#: How long a month's report is kept (under the data generation, which any new value
#: moves on).
REPORT_SECONDS = 3600


def visible_indicators(user, period: date) -> list[Indicator] | None:
    """The indicators in force in the month whose submissions the user may see: all of
    them for an administrator, those of their departments for a department member; None:
    none (the page refuses)."""
    indicators = Indicator.objects.in_force(period).order_by("display_order", "code")
    if can_close_months(user):
        return list(indicators)
    departments = list(
        DepartmentMember.objects.filter(user=user).values_list("department", flat=True)
    )
    if not departments:
        return None
    return list(indicators.filter(department__in=departments))


@dataclass(frozen=True)
class IndicatorArrival:
    indicator: Indicator
    expected: int
    arrived: int

    @property
    def missing(self) -> int:
        return max(self.expected - self.arrived, 0)

    @property
    def share(self) -> float:
        return self.arrived / self.expected if self.expected else 1.0


@dataclass
class Submissions:
    period: date
    due: date
    late: bool
    stations: int
    arrivals: list[IndicatorArrival]
    missing_count: int
    missing: list[tuple[Station, Indicator]] = field(default_factory=list)
    edge_count: int = 0
    edges: list[tuple[Station, Indicator, float]] = field(default_factory=list)
    jump_indicator: Indicator | None = None  # the indicator whose jumps are shown
    jump_count: int = 0
    jumps: list[tuple[Station, Indicator, float, float, float | None]] = field(default_factory=list)


def _stations(company: Company):
    return Station.objects.filter(county__company=company, active=True)


def submissions(
    company: Company,
    period: date,
    indicators: list[Indicator],
    *,
    due_day: int,
    today: date,
    jump_indicator: Indicator | None = None,
) -> Submissions:
    """The month's report; jumps of ``jump_indicator`` only (default: the first). Kept
    under the data generation (any new value moves it on): at 30,000 stations the counts
    and lists read about a second, the jumps seconds."""
    jump_indicator = jump_indicator or (indicators[0] if indicators else None)
    key = ":".join(
        [
            "submissions",
            str(company.pk),
            f"{period:%Y-%m}",
            ",".join(str(indicator.pk) for indicator in indicators),
            str(jump_indicator.pk if jump_indicator else ""),
            str(generation()),
        ]
    )
    report = cache.get(key)
    if report is None:
        report = _report(company, period, indicators, jump_indicator)
        cache.set(key, report, REPORT_SECONDS)
    return replace(report, due=due_date(period, due_day), late=is_late(period, due_day, today))


def _report(
    company: Company, period: date, indicators: list[Indicator], jump_indicator: Indicator | None
) -> Submissions:
    stations = _stations(company).count()
    arrived = dict(
        IndicatorValue.objects.filter(
            period=period,
            station__county__company=company,
            station__active=True,
            indicator__in=indicators,
        )
        .values_list("indicator")
        .annotate(n=Count("id"))
        .values_list("indicator", "n")
    )
    arrivals = [IndicatorArrival(ind, stations, arrived.get(ind.pk, 0)) for ind in indicators]
    by_id = {ind.pk: ind for ind in indicators}
    missing = _missing_pairs(company, period, list(by_id), limit=ROWS_SHOWN)
    edge_values = _edge_values(company, period, indicators)
    jumps = _jumps(company, period, [jump_indicator.pk] if jump_indicator else [])
    station_ids = (
        {sid for sid, _i in missing}
        | set(edge_values.values_list("station_id", flat=True)[:ROWS_SHOWN])
        | set(jumps["station_id"].head(ROWS_SHOWN).tolist())
    )
    names = Station.objects.in_bulk(station_ids)
    return Submissions(
        period=period,
        due=period,  # the caller's due day sets these
        late=False,
        stations=stations,
        arrivals=arrivals,
        missing_count=sum(a.missing for a in arrivals),
        missing=[(names[sid], by_id[iid]) for sid, iid in missing],
        edge_count=edge_values.count(),
        edges=[
            (names[sid], by_id[iid], value)
            for sid, iid, value in edge_values.values_list("station_id", "indicator_id", "value")[
                :ROWS_SHOWN
            ]
        ],
        jump_indicator=jump_indicator,
        jump_count=len(jumps),
        jumps=[
            (names[row.station_id], by_id[row.indicator_id], row.value, row.median, _z(row.z))
            for row in jumps.head(ROWS_SHOWN).itertuples()
        ],
    )


def _missing_sql(company: Company, period: date, indicator_ids: list[int]) -> tuple[str, list]:
    """The pairs (active station, indicator asked) without a value for the month, in
    station-code and indicator order."""
    quote = connection.ops.quote_name
    station = quote(Station._meta.db_table)
    county = quote(County._meta.db_table)
    value = quote(IndicatorValue._meta.db_table)
    indicator = quote(Indicator._meta.db_table)
    marks = ", ".join(["%s"] * len(indicator_ids)) or "NULL"
    sql = f"""
        SELECT s.id, i.id FROM {station} s
          JOIN {county} c ON c.id = s.county_id
          CROSS JOIN {indicator} i
         WHERE c.company_id = %s AND s.active AND i.id IN ({marks})
           AND NOT EXISTS (SELECT 1 FROM {value} v WHERE v.station_id = s.id
                            AND v.indicator_id = i.id AND v.period = %s)
         ORDER BY s.code, i.display_order, i.code
    """
    return sql, [company.pk, *indicator_ids, period]


def _missing_pairs(
    company: Company, period: date, indicator_ids: list[int], *, limit: int
) -> list[tuple[int, int]]:
    sql, params = _missing_sql(company, period, indicator_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _edge_values(company: Company, period: date, indicators: list[Indicator]):
    span = F("indicator__max_value") - F("indicator__min_value")
    return (
        IndicatorValue.objects.filter(
            period=period, station__county__company=company, station__active=True,
            indicator__in=indicators,
        )
        .filter(
            Q(value__lte=F("indicator__min_value") + span * EDGE_SHARE)
            | Q(value__gte=F("indicator__max_value") - span * EDGE_SHARE)
        )
        .order_by("station__sort_key", "station__code", "indicator__display_order")
    )  # fmt: skip


def _jumps(company: Company, period: date, indicator_ids: list[int]) -> pd.DataFrame:
    columns = ["station_id", "indicator_id", "period", "value"]
    rows = IndicatorValue.objects.filter(
        station__county__company=company,
        station__active=True,
        indicator_id__in=indicator_ids,
        period__gte=add_months(period, -HISTORY_MONTHS),
        period__lte=period,
    ).values_list(*columns)
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    if frame.empty:
        return find_jumps(frame, frame)
    month = frame[frame["period"] == period].drop(columns="period")
    history = frame[frame["period"] < period]
    return find_jumps(month, history)


def missing_rows(company: Company, period: date, indicators: list[Indicator]) -> Iterator[tuple]:
    """Every missing pair as (station code, station name, indicator code, indicator name),
    read in chunks (the download)."""
    by_id = {ind.pk: ind for ind in indicators}
    sql, params = _missing_sql(company, period, list(by_id))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            names = Station.objects.in_bulk([row[0] for row in chunk])
            for station_id, indicator_id in chunk:
                station, indicator = names[station_id], by_id[indicator_id]
                yield station.code, station.name, indicator.code, indicator.name


def anomaly_rows(company: Company, period: date, indicators: list[Indicator]) -> Iterator[tuple]:
    """Every anomalous value as (kind, station code, station name, indicator code, value,
    median of the last 12 months, robust z) (the download)."""
    by_id = {ind.pk: ind for ind in indicators}
    jumps = _jumps(company, period, list(by_id))
    names = Station.objects.in_bulk(jumps["station_id"].tolist())
    for row in jumps.itertuples():
        station = names[row.station_id]
        yield ("jump", station.code, station.name, by_id[row.indicator_id].code, row.value,
               round(row.median, 4), "" if (z := _z(row.z)) is None else round(z, 2))  # fmt: skip
    edges = _edge_values(company, period, indicators).values_list(
        "station__code", "station__name", "indicator__code", "value"
    )
    for code, name, indicator_code, value in edges.iterator(chunk_size=2000):
        yield ("edge", code, name, indicator_code, value, "", "")


def _z(z: float) -> float | None:
    """A jump's z-score, None for a change from a flat history (no spread: no z-score)."""
    return None if math.isnan(z) else float(z)
