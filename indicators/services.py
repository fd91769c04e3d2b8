"""Writes for indicator data: an import is checked whole, then written in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from indicators.models import ImportBatch, Indicator, IndicatorValue
from indicators.periods import format_period
from indicators.tabular import limits_from_settings, read_table
from indicators.validation import IndicatorRule, ValueReference, parse_indicator_table
from scoring.models import RunTrigger, ScoreRun
from scoring.services import request_recompute
from stations.models import Company, Station


@dataclass(frozen=True)
class IndicatorImportResult:
    batch: ImportBatch
    periods: list[date]
    runs: list[ScoreRun]
    empty_cells: int
    layout: str


def value_reference(today: date | None = None) -> ValueReference:
    """What the validation needs to know, read in two queries."""
    stations = dict(Station.objects.values_list("code", "county__company_id"))
    # Every indicator, retired ones too: a value is checked against the months its
    # indicator is in force, so a retired indicator's months are refused by name.
    indicators = {
        indicator.code: IndicatorRule(
            indicator.code,
            indicator.min_value,
            indicator.max_value,
            active_from=indicator.active_from,
            retired_from=indicator.retired_from,
        )
        for indicator in Indicator.objects.all()
    }
    return ValueReference(
        station_company=stations,
        indicators=indicators,
        today=today or timezone.localdate(),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_indicator_file(
    path: Path | str,
    *,
    source: str,
    user=None,
    display_name: str | None = None,
    today: date | None = None,
) -> IndicatorImportResult:
    """Read, check and store a file of indicator values; request the months' recompute.

    All or nothing: any defect raises FileRejected before a row is written.
    """
    path = Path(path)
    name = display_name or path.name
    table = read_table(path, limits_from_settings(), display_name=name)
    parsed = parse_indicator_table(table, value_reference(today), name)

    stations = dict(
        Station.objects.filter(
            code__in={record.station_code for record in parsed.records}
        ).values_list("code", "id")
    )
    indicators = dict(Indicator.objects.values_list("code", "id"))
    periods = parsed.periods
    with transaction.atomic():
        company = Company.objects.get(pk=parsed.company_id)
        batch = ImportBatch.objects.create(
            company=company,
            created_by=user,
            file_name=name[:255],
            file_sha256=_sha256(path),
            source=source,
            row_count=parsed.row_count,
            value_count=len(parsed.records),
            periods=[format_period(period) for period in periods],
        )
        IndicatorValue.objects.bulk_create(
            (
                IndicatorValue(
                    station_id=stations[record.station_code],
                    period=record.period,
                    indicator_id=indicators[record.indicator_code],
                    value=record.value,
                    batch=batch,
                )
                for record in parsed.records
            ),
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["station", "period", "indicator"],
            update_fields=["value", "batch"],
        )
        runs = [
            request_recompute(company, period, trigger=RunTrigger.IMPORT, user=user)
            for period in periods
        ]
    return IndicatorImportResult(
        batch=batch,
        periods=periods,
        runs=runs,
        empty_cells=parsed.empty_cells,
        layout=parsed.layout,
    )
