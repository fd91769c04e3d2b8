"""Scored months for tests: indicator values written as an import would, then the real
engine run over the company-month (a ScoreRun row executed as a worker would)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date

from indicators.models import ImportBatch, Indicator, IndicatorValue
from scoring.engine import LEAGUE_TABLE, ScoringMethod
from scoring.models import RunTrigger, ScoreRun
from scoring.services import execute_run
from stations.models import Company, Station
from tests.factories import ScoreRunFactory

#: A station's values: one for every indicator, or one per indicator code.
Values = float | Mapping[str, float] | None


def write_values(
    period: date, values: Mapping[Station, Values], *, default: float | None = None
) -> ImportBatch:
    """The month's indicator values of each station: a number for every indicator, or
    ``{code: value}`` (the other indicators get ``default``; None writes no value)."""
    stations = list(values)
    company = stations[0].county.company
    batch = ImportBatch.objects.create(company=company, file_name="t.csv", source="cli")
    indicators = list(Indicator.objects.order_by("code"))

    def value_of(station: Station, code: str) -> float | None:
        given = values[station]
        if isinstance(given, Mapping):
            return given.get(code, default)
        return given

    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            station=station, period=period, indicator=indicator, value=value, batch=batch
        )
        for station in stations
        for indicator in indicators
        if (value := value_of(station, indicator.code)) is not None
    )
    return batch


def run_month(
    company: Company,
    period: date,
    *,
    trigger: str = RunTrigger.MANUAL,
    publish: bool = True,
) -> ScoreRun:
    """Score the company-month with the real engine; the run, as the worker left it."""
    run = ScoreRunFactory(company=company, period=period, trigger=trigger, publish=publish)
    execute_run(run.pk)
    run.refresh_from_db()
    return run


def score_month(stations: Iterable[Station], period: date, values: Iterable[Values]) -> ScoreRun:
    """Give each station its entry of ``values`` (one number for every indicator, or a
    value per indicator) and score the month."""
    stations = list(stations)
    write_values(period, dict(zip(stations, values, strict=True)))
    return run_month(stations[0].county.company, period)


def league_table(**changes) -> ScoringMethod:
    """The league table (min-max, 20 % quotas) with ``changes``: the method the engine's
    tests were written for, before absolute scoring became the default."""
    return dataclasses.replace(LEAGUE_TABLE, **changes)
