"""Re-importing a station file costs the same few queries for 3 stations or 60."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.services import import_stations

pytestmark = pytest.mark.django_db


def station_file(write_file, count: int, county: str):
    rows = [f"Q{count}-{n:03d},站{n},{county},29.8,121.5,40" for n in range(count)]
    text = "code,name,county,latitude,longitude,staff_count\n" + "\n".join(rows) + "\n"
    return write_file(f"stations-{count}-{county}.csv", text)


def queries_to_reimport(write_file, count: int) -> int:
    company = f"公司{count}"
    import_stations(station_file(write_file, count, f"海曙{count}"), company_name=company)
    moved = station_file(write_file, count, f"江北{count}")  # every station changes county
    with CaptureQueriesContext(connection) as queries:
        result = import_stations(moved, company_name=company)
    assert result.changed == count
    return len(queries)


def test_a_reimport_does_not_read_each_stations_county_again(write_file):
    """Before: one query per station for its county (50,000 in one transaction)."""
    few = queries_to_reimport(write_file, 3)
    many = queries_to_reimport(write_file, 60)
    assert many == few
