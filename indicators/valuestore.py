"""The SQL that stores a checked file's values and takes a batch's values back.

Storing: the rows go into a temporary staging table (PostgreSQL: one binary COPY built by
numpy, no Python per row; SQLite: one ``executemany``), then two statements do the rest
in the caller's transaction: the values about to be replaced are kept in
``ValueHistory`` with the batch that wrote them, and the rows are upserted. The ORM
never builds an object per value.

Callers hold the company-month locks (``indicators.locks``) inside ``atomic``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from django.db import connection

from indicators.models import IndicatorValue, ValueHistory

STAGING = "indicator_value_staging"
#: Rows per piece of COPY data (about 5 MB): the whole file is never held twice.
COPY_CHUNK_ROWS = 100_000
#: PostgreSQL's dates count days from 2000-01-01.
PG_EPOCH = np.datetime64("2000-01-01", "D")
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)
#: One row of the binary COPY of (station_id, period, indicator_id, value).
COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("station_len", ">i4"),
        ("station", ">i8"),
        ("period_len", ">i4"),
        ("period", ">i4"),
        ("indicator_len", ">i4"),
        ("indicator", ">i8"),
        ("value_len", ">i4"),
        ("value", ">f8"),
    ]
)


@dataclass(frozen=True)
class ValueRows:
    """The values to store as arrays of ids, in (station, period, indicator) order."""

    station_ids: np.ndarray  # int64
    periods: np.ndarray  # datetime64[D]
    indicator_ids: np.ndarray  # int64
    values: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.values)

    def slice(self, start: int, stop: int) -> ValueRows:
        return ValueRows(
            self.station_ids[start:stop],
            self.periods[start:stop],
            self.indicator_ids[start:stop],
            self.values[start:stop],
        )


def binary_copy_data(rows: ValueRows) -> bytes:
    """The rows as the body of a binary COPY (without header and trailer)."""
    data = np.zeros(len(rows), dtype=COPY_ROW)
    data["fields"] = 4
    for name, size in (("station", 8), ("period", 4), ("indicator", 8), ("value", 8)):
        data[f"{name}_len"] = size
    data["station"] = rows.station_ids
    data["period"] = (rows.periods.astype("datetime64[D]") - PG_EPOCH).astype(np.int32)
    data["indicator"] = rows.indicator_ids
    data["value"] = rows.values
    return data.tobytes()


def _fill_staging(cursor, rows: ValueRows) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    if connection.vendor == "postgresql":
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (station_id bigint, period date, "
            "indicator_id bigint, value double precision) ON COMMIT DROP"
        )
        statement = f"COPY {STAGING} FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(statement) as copy:
            copy.write(COPY_HEADER)
            for start in range(0, len(rows), COPY_CHUNK_ROWS):
                copy.write(binary_copy_data(rows.slice(start, start + COPY_CHUNK_ROWS)))
            copy.write(COPY_TRAILER)
        cursor.execute(f"ANALYZE {STAGING}")
        return
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING} (station_id integer, period date, "
        "indicator_id integer, value real)"
    )
    days = rows.periods.astype("datetime64[D]").astype(str)
    cursor.executemany(
        f"INSERT INTO {STAGING} VALUES (%s, %s, %s, %s)",
        zip(
            rows.station_ids.tolist(),
            days.tolist(),
            rows.indicator_ids.tolist(),
            rows.values.tolist(),
            strict=True,
        ),
    )


def store_values(batch_id: int, rows: ValueRows) -> int:
    """Write the rows under ``batch_id``, keeping every value they replace in the
    history. Returns how many stored values were replaced."""
    values = IndicatorValue._meta.db_table
    history = ValueHistory._meta.db_table
    same_key = (
        "v.station_id = s.station_id AND v.period = s.period AND v.indicator_id = s.indicator_id"
    )
    with connection.cursor() as cursor:
        _fill_staging(cursor, rows)
        cursor.execute(
            f"INSERT INTO {history} (station_id, period, indicator_id, value, batch_id, "
            f"replaced_by_id) SELECT v.station_id, v.period, v.indicator_id, v.value, "
            f"v.batch_id, %s FROM {values} v JOIN {STAGING} s ON {same_key}",
            [batch_id],
        )
        replaced = cursor.rowcount
        # "WHERE true": SQLite's parser needs it before ON CONFLICT after a SELECT.
        cursor.execute(
            f"INSERT INTO {values} (station_id, period, indicator_id, value, batch_id) "
            f"SELECT station_id, period, indicator_id, value, %s FROM {STAGING} WHERE true "
            "ORDER BY station_id, period, indicator_id "
            "ON CONFLICT (station_id, period, indicator_id) "
            "DO UPDATE SET value = excluded.value, batch_id = excluded.batch_id",
            [batch_id],
        )
        cursor.execute(f"DROP TABLE {STAGING}")
    return replaced


def restore_replaced(batch_id: int) -> tuple[int, int]:
    """Take back what ``batch_id`` wrote: the values it replaced are put back (with the
    batch that had written them), the values it created are deleted, and the history
    rows it had kept are dropped. Returns (restored, deleted)."""
    values = IndicatorValue._meta.db_table
    history = ValueHistory._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {values} AS v SET value = h.value, batch_id = h.batch_id "
            f"FROM {history} AS h WHERE h.replaced_by_id = %s AND v.batch_id = %s "
            "AND v.station_id = h.station_id AND v.period = h.period "
            "AND v.indicator_id = h.indicator_id",
            [batch_id, batch_id],
        )
        restored = cursor.rowcount
        cursor.execute(f"DELETE FROM {values} WHERE batch_id = %s", [batch_id])
        deleted = cursor.rowcount
        cursor.execute(f"DELETE FROM {history} WHERE replaced_by_id = %s", [batch_id])
    return restored, deleted
