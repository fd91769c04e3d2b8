"""Read a CSV or XLSX file into header + numbered rows, refusing what is not a table.

Every import (stations, indicator values, weights) reads through here, so the
checks for empty, binary, oversized, badly encoded and zip-bomb files live in
one place. Row numbers are file lines: the header is line 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from tabular.defects import Defect, FileRejected

ZIP_MAGIC = b"PK\x03\x04"
#: An XLSX part whose uncompressed size is more than this many times its stored
#: size is treated as a zip bomb (real sheets compress 5–30×).
MAX_COMPRESSION_RATIO = 150
MAX_COLUMNS = 200
#: A formula element in a worksheet's XML: <f>, <f t="shared" …>, <x:f …>.
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 64 * 1024 * 1024
    max_rows: int = 1_000_000


@dataclass
class Table:
    """Header names (stripped, lower-case) and the data rows with their file line."""

    header: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    encoding: str = ""


def read_table(path: Path | str, limits: ReadLimits, *, display_name: str | None = None) -> Table:
    """Read the file at ``path``. Raises FileRejected with the reason when it is not a table."""
    path = Path(path)
    name = display_name or path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(_("%s is not a file") % path)
    except OSError as exc:
        raise FileRejected(
            name, [Defect("unreadable", _("cannot read the file: %s") % exc)]
        ) from None
    if size == 0:
        raise FileRejected(name, [Defect("empty_file", _("the file is empty"))])
    if size > limits.max_file_bytes:
        raise FileRejected(
            name,
            [
                Defect(
                    "file_too_large",
                    _("the file is %(size)d bytes; the limit is %(limit)d")
                    % {"size": size, "limit": limits.max_file_bytes},
                )
            ],
        )
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(ZIP_MAGIC) or path.suffix.lower() in {".xlsx", ".xlsm"}:
        table = _read_xlsx(path, name, limits)
    else:
        table = _read_csv(path.read_bytes(), name, limits)
    if not table.header or all(cell == "" for cell in table.header):
        raise FileRejected(name, [Defect("empty_file", _("the file has no header line"), line=1)])
    if not table.rows:
        raise FileRejected(name, [Defect("no_rows", _("the file has a header but no data rows"))])
    stray = stray_cell_defects(table)
    if stray:
        raise FileRejected(name, stray)
    return table


def stray_cell_defects(table: Table) -> list[Defect]:
    """A filled cell under no column name would be silently dropped: refuse it."""
    defects = []
    for line, cells in table.rows:
        for index, value in enumerate(cells):
            named = index < len(table.header) and table.header[index] != ""
            if not named and cell_text(value) != "":
                defects.append(
                    Defect(
                        "unnamed_column",
                        _("%r is in a column without a name in the header") % cell_text(value),
                        line=line,
                        column=f"#{index + 1}",
                    )
                )
    return defects


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if b"\x00" in data:
        raise FileRejected(
            name,
            [Defect("binary_file", _("this is a binary file, not a CSV text file"))],
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        name, [Defect("bad_encoding", _("the text is neither UTF-8 nor GBK encoded"))]
    )


def _read_csv(data: bytes, name: str, limits: ReadLimits) -> Table:
    text, encoding = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    table = Table(header=[], encoding=encoding)
    last_line = 0
    try:
        for cells in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not table.header:
                if not any(cell.strip() for cell in cells):
                    continue
                table.header = [_clean_header(cell) for cell in cells]
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(table.rows) >= limits.max_rows:
                raise _too_many_rows(name, limits)
            table.rows.append((first_line, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        raise FileRejected(
            name,
            [Defect("bad_csv", _("the CSV is malformed: %s") % exc, line=reader.line_num)],
        ) from None
    return table


def _clean_header(cell: object) -> str:
    return str(cell if cell is not None else "").strip().lower()


def _too_many_rows(name: str, limits: ReadLimits) -> FileRejected:
    return FileRejected(
        name,
        [
            Defect(
                "too_many_rows",
                _("the file has more than %(limit)d data rows") % {"limit": limits.max_rows},
            )
        ],
    )


def _check_zip(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse an XLSX whose declared content is too big or suspiciously compressible.

    zipfile never inflates an entry past its declared size, so checking the
    declared sizes bounds the work openpyxl can be made to do.
    """
    bad = FileRejected(name, [Defect("bad_xlsx", _("this is not a readable XLSX workbook"))])
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise bad from None
    total = sum(info.file_size for info in infos)
    too_big = total > limits.max_uncompressed_bytes
    bomb = any(
        info.file_size > 1024 * 1024
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if too_big or bomb:
        raise FileRejected(
            name,
            [
                Defect(
                    "xlsx_too_large",
                    _(
                        "the workbook unpacks to %(size)d bytes (limit %(limit)d) or is "
                        "compressed suspiciously well; it was not opened"
                    )
                    % {"size": total, "limit": limits.max_uncompressed_bytes},
                )
            ],
        )


def _xlsx_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (datetime, date, int, float)):
        return value
    return str(value).strip()


def _read_xlsx(path: Path, name: str, limits: ReadLimits) -> Table:
    _check_zip(path, name, limits)
    if _has_formulas(path):
        return _read_xlsx_with_formulas(path, name, limits)
    return _read_xlsx_values(path, name, limits)


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (an ``f`` element, with or without a
    namespace prefix). The sizes were checked first, so reading the parts is bounded."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                text = archive.read(info)
                if FORMULA_TAG.search(text):
                    return True
    return False


def _read_xlsx_values(path: Path, name: str, limits: ReadLimits) -> Table:
    """A workbook without formulas, read by calamine (compiled; 7–15× openpyxl's speed)
    into the same cells openpyxl would give: whole numbers as ``int``, dates as
    ``datetime``, empty cells as ""; line numbers from A1."""
    from python_calamine import CalamineWorkbook  # only XLSX imports pay for it

    bad = FileRejected(name, [Defect("bad_xlsx", _("this is not a readable XLSX workbook"))])
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for a broken workbook
        raise bad from None
    try:
        table = Table(header=[], encoding="xlsx")
        for line, cells in enumerate(rows, 1):
            _add_row(table, line, [_calamine_cell(cell) for cell in cells[:MAX_COLUMNS]])
            if len(table.rows) > limits.max_rows:
                raise _too_many_rows(name, limits)
        return table
    except FileRejected:
        raise
    except Exception:
        raise bad from None


def _add_row(table: Table, line: int, cells: list[object]) -> None:
    """One sheet row into the table: cells cleaned, trailing empty ones dropped, a blank
    row skipped, the first non-blank row the header."""
    row = [_xlsx_cell(cell) for cell in cells]
    while row and row[-1] == "":
        row.pop()
    if not row:
        return
    if not table.header:
        table.header = [_clean_header(value) for value in row]
        return
    table.rows.append((line, row))


def _calamine_cell(value: object) -> object:
    """A calamine cell as openpyxl gives it: a whole float as int, a date as datetime."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _read_xlsx_with_formulas(path: Path, name: str, limits: ReadLimits) -> Table:
    """A workbook with formulas: openpyxl reads it, and a formula saved without its
    result (an empty cell) is refused."""
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    bad = FileRejected(name, [Defect("bad_xlsx", _("this is not a readable XLSX workbook"))])
    try:
        values = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken workbook
        raise bad from None
    try:
        table = Table(header=[], encoding="xlsx")
        #: The empty cells of each line: they may be formulas saved without a result.
        empty: dict[int, list[int]] = {}
        for line, cells in enumerate(_sheet_rows(values), 1):
            blanks = [index for index, cell in enumerate(cells) if cell is None]
            if blanks:
                empty[line] = blanks
            _add_row(table, line, list(cells))
            if len(table.rows) > limits.max_rows:
                raise _too_many_rows(name, limits)
        if empty:
            _check_formulas(path, name, empty)
        return table
    except FileRejected:
        raise
    except Exception:
        raise bad from None
    finally:
        values.close()


def _sheet_rows(workbook) -> Iterator[tuple]:
    """The first sheet's rows as values, each as wide as its own cells (at most
    MAX_COLUMNS): the sheet's stated dimensions are ignored, so a row is not padded to
    the widest one (padding every row to MAX_COLUMNS cost more than reading the XML)."""
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    for cells in sheet.iter_rows(values_only=True):
        yield cells[:MAX_COLUMNS]


def _check_formulas(path: Path, name: str, empty: dict[int, list[int]]) -> None:
    """Refuse a formula saved without its result (written by a program, never opened in
    Excel): it reads as an empty cell. Only files with empty cells are read again."""
    from openpyxl import load_workbook

    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        for line, sources in enumerate(_sheet_rows(formulas), 1):
            unresolved = [
                index
                for index in empty.get(line, ())
                if index < len(sources)
                and isinstance(sources[index], str)
                and sources[index].startswith("=")
            ]
            if unresolved:
                raise _unresolved_formulas(name, line, unresolved)
    finally:
        formulas.close()


def _unresolved_formulas(name: str, line: int, columns: list[int]) -> FileRejected:
    message = _("a formula without a saved result; open and save the file in Excel first")
    return FileRejected(
        name,
        [Defect("unresolved_formula", message, line=line, column=f"#{i + 1}") for i in columns],
    )


def header_defects(table: Table, required: tuple[str, ...]) -> list[Defect]:
    """Line-1 defects: a column given twice, or a required column missing."""
    defects = []
    seen: set[str] = set()
    for name in table.header:
        if name and name in seen:
            defects.append(
                Defect("duplicate_column", _("column %r appears twice") % name, line=1, column=name)
            )
        seen.add(name)
    for name in required:
        if name not in table.header:
            defects.append(
                Defect("missing_column", _("the column %r is missing") % name, line=1, column=name)
            )
    return defects


def limits_from_settings() -> ReadLimits:
    from django.conf import settings

    return ReadLimits(
        max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
        max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
    )


def cell_text(value: object) -> str:
    """A cell as text: spreadsheet numbers like 1001.0 become '1001'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip() if value is not None else ""


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex), read in chunks: what an import records of its file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
