"""Scoring months for page tests: write values for stations and run the real engine."""

from __future__ import annotations

from datetime import date

from indicators.models import ImportBatch, Indicator, IndicatorValue
from scoring.models import RunTrigger, ScoreRun
from scoring.services import execute_run

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def score_month(stations, period, values):
    """Give each station one value per indicator (its entry in ``values``) and score the month."""
    company = stations[0].county.company
    batch = ImportBatch.objects.create(company=company, file_name="t.csv", source="cli")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            station=station, period=period, indicator=indicator, value=value, batch=batch
        )
        for station, value in zip(stations, values, strict=True)
        if value is not None
        for indicator in Indicator.objects.all()
    )
    run = ScoreRun.objects.create(company=company, period=period, trigger=RunTrigger.MANUAL)
    execute_run(run.pk)
