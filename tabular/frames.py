"""Read a plain CSV file in chunks of pandas DataFrames, for imports that check columns
at once instead of cell by cell.

This reader only takes the files whose reading it can promise to be exactly what
``tabular.reading.read_table`` would read (the same cells, stripped, and the same file
line for every row). Anything else raises ``ExactReaderNeeded`` and the caller reads the
file with ``read_table``, which gives every refusal its message: an XLSX workbook, a
binary or non-UTF-8 file, a row wider than the header, a quoted cell spanning lines, a
filled cell under no column name, too many rows. Chunks keep memory bounded: one
chunk's strings at a time, whatever the file's size.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tabular.reading import ZIP_MAGIC, ReadLimits, Table

#: Rows per chunk: about 10 MB of strings for a long-form file.
CHUNK_ROWS = 100_000
#: The column of each chunk holding the row's file line (the header is line 1 or later).
LINE = "__line__"


class ExactReaderNeeded(Exception):
    """The file needs ``read_table`` (its refusal or its reading is not this reader's)."""


@dataclass
class CsvChunks:
    """The header (stripped, lower-case) and an iterator over the data chunks: string
    columns named by the header's names, blank rows dropped, plus ``LINE``."""

    header: list[str]
    chunks: Iterator[pd.DataFrame]


def read_csv_chunks(path: Path, limits: ReadLimits, chunk_rows: int = CHUNK_ROWS) -> CsvChunks:
    """Open a CSV file for chunked reading. Raises ExactReaderNeeded (now or while the
    chunks are read) for any file this reader does not take whole."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise ExactReaderNeeded()
    try:
        if not path.is_file() or not 0 < path.stat().st_size <= limits.max_file_bytes:
            raise ExactReaderNeeded()
        data = path.read_bytes()
    except OSError:
        raise ExactReaderNeeded() from None
    if data.startswith(ZIP_MAGIC) or b"\x00" in data:
        raise ExactReaderNeeded()
    header, header_lines = _header(data)
    if not header or "" in header or len(set(header)) < len(header):
        raise ExactReaderNeeded()
    return CsvChunks(header, _chunks(data, header, header_lines, limits, chunk_rows))


def _header(data: bytes) -> tuple[list[str], int]:
    """The first non-blank row, as ``read_table`` cleans it, and the lines up to it."""
    text = io.TextIOWrapper(io.BytesIO(data[: 1 << 16]), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if any("\n" in cell or "\r" in cell for cell in cells):
                    break
                return [cell.strip().lower() for cell in cells], reader.line_num
    except (UnicodeDecodeError, csv.Error):
        pass
    raise ExactReaderNeeded()


def _chunks(
    data: bytes, header: list[str], header_lines: int, limits: ReadLimits, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    quoted = b'"' in data
    first_line = header_lines + 1
    rows = 0
    width = len(header)
    if _widest_line(data) > width:
        raise ExactReaderNeeded()  # pandas would cut a wider row silently
    try:
        reader = pd.read_csv(
            io.BytesIO(data),
            header=None,
            names=list(range(width)),
            skiprows=header_lines,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            index_col=False,
            encoding="utf-8-sig",
            engine="c",
            chunksize=chunk_rows,
        )
        for chunk in reader:
            lines = range(first_line, first_line + len(chunk))
            first_line += len(chunk)
            chunk = chunk.apply(lambda column: column.str.strip())
            if quoted and any(
                column.str.contains("\n|\r", regex=True).any() for _, column in chunk.items()
            ):
                raise ExactReaderNeeded()  # a cell spans lines: the line numbers shift
            chunk.columns = header
            chunk[LINE] = pd.array(lines, dtype="int64")
            chunk = chunk[(chunk[header] != "").any(axis=1)]
            rows += len(chunk)
            if rows > limits.max_rows:
                raise ExactReaderNeeded()
            if len(chunk):
                yield chunk.reset_index(drop=True)
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError):
        raise ExactReaderNeeded() from None


def _widest_line(data: bytes) -> int:
    """The most fields on any line, counting every comma (one inside quotes too: such a
    file may be sent to read_table for nothing, never read wrong). A carriage return
    that does not end a line counts as too wide (read_table decides)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    returns = np.flatnonzero(octets == ord("\r"))
    if len(returns) and (
        returns[-1] + 1 >= len(octets) or (octets[returns + 1] != ord("\n")).any()
    ):
        return sys.maxsize
    ends = np.flatnonzero(octets == ord("\n"))
    commas = np.flatnonzero(octets == ord(","))
    if not len(commas):
        return 1
    return int(np.bincount(np.searchsorted(ends, commas)).max()) + 1


def table_chunks(table: Table, chunk_rows: int = CHUNK_ROWS) -> CsvChunks:
    """A table already read whole (an XLSX workbook, a CSV that ``read_csv_chunks`` did
    not take) as the same string chunks, for the column-wise check. A cell's text says
    the same as the cell: a float as its ``repr``, a date or datetime as its month
    (``YYYY-MM``); any other non-text cell becomes text that no column accepts, so a row
    with one is a defect and the caller checks the table cell by cell. Raises
    ExactReaderNeeded for a header with an empty or repeated name or a row wider than
    the header."""
    header = table.header
    width = len(header)
    if not header or "" in header or len(set(header)) < width:
        raise ExactReaderNeeded()
    if any(len(cells) > width for _line, cells in table.rows):
        raise ExactReaderNeeded()
    return CsvChunks(header, _table_chunks(table, width, chunk_rows))


def _table_chunks(table: Table, width: int, chunk_rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(table.rows), chunk_rows):
        rows = table.rows[start : start + chunk_rows]
        texts = [[_text(cell) for cell in cells] + [""] * (width - len(cells)) for _, cells in rows]
        chunk = pd.DataFrame(texts, columns=table.header, dtype=object)
        chunk[LINE] = pd.array([line for line, _cells in rows], dtype="int64")
        yield chunk


def _text(cell: object) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "\x00bool"  # never a code, a month or a number
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return repr(cell)
    if isinstance(cell, (date, datetime)):
        return f"{cell.year:04d}-{cell.month:02d}"
    return "\x00" + type(cell).__name__
