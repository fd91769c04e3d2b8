"""Two imports of the same months at the same moment, their rows in opposite orders:
on PostgreSQL they used to deadlock (one died with a traceback). They must serialise."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

import indicators.services
from indicators.models import ImportBatch, ImportSource, IndicatorValue
from tests.factories import CompanyFactory, CountyFactory, StationFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TODAY = date(2026, 11, 21)
MONTHS = [f"2026-{month:02d}" for month in range(1, 11)]
CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip


def long_form(stations: list[str], value: int, *, reverse: bool) -> str:
    rows = [
        f"{station},{month},{code},{value}"
        for station in stations
        for month in MONTHS
        for code in CODES
    ]
    if reverse:
        rows.reverse()
    return "station_code,period,indicator_code,value\n" + "\n".join(rows) + "\n"


def test_two_overlapping_imports_at_once_both_finish_one_after_the_other(write_file, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the deadlock needs PostgreSQL's row locks")
    county = CountyFactory(company=CompanyFactory())
    stations = [StationFactory(code=f"C{n:03d}", county=county).code for n in range(60)]
    files = {
        10: write_file("ten.csv", long_form(stations, 10, reverse=False)),
        20: write_file("twenty.csv", long_form(stations, 20, reverse=True)),
    }
    # Both imports have read and checked their file before either writes a row.
    both_checked = threading.Barrier(2)
    check = indicators.services.check_indicator_file

    def check_then_wait(*args, **kwargs):
        parsed = check(*args, **kwargs)
        both_checked.wait()
        return parsed

    monkeypatch.setattr(indicators.services, "check_indicator_file", check_then_wait)
    errors: list[BaseException] = []

    def load(path):
        try:
            indicators.services.import_indicator_file(
                path, source=ImportSource.COMMAND_LINE, today=TODAY
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=load, args=(path,)) for path in files.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ImportBatch.objects.count() == 2
    values = set(IndicatorValue.objects.values_list("value", flat=True))
    assert values in ({10.0}, {20.0})
    assert IndicatorValue.objects.count() == len(stations) * len(MONTHS) * len(CODES)
    last = ImportBatch.objects.order_by("-id").first()
    assert set(IndicatorValue.objects.values_list("batch_id", flat=True)) in (
        {last.pk},
        {ImportBatch.objects.order_by("id").first().pk},
    )
