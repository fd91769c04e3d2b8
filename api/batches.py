"""A batch of values as the API receives it: JSON, CSV or XLSX, turned into the file the
import path reads, and the token's scope checked line by line.

JSON is written as a long-form CSV (header on line 1), so the import's line numbers map
back to the batch: ``row`` is the position in ``values`` counting from 1 for JSON, and
the file's own line (header = 1) for CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from indicators.validation import INDICATOR, LONG_COLUMNS, PERIOD, STATION, VALUE
from tabular.defects import Defect
from tabular.reading import Table, cell_text

JSON = "json"
CSV = "csv"
XLSX = "xlsx"
SUFFIX = {JSON: ".csv", CSV: ".csv", XLSX: ".xlsx"}


@dataclass(frozen=True)
class ValuesBody:
    """The raw body of a POST of values and its kind."""

    kind: str
    data: bytes


class BadBatch(Exception):
    """The body is not a batch at all (not the documented JSON shape)."""

    def __init__(self, message: str, defects: list[Defect] | None = None):
        super().__init__(message)
        self.message = message
        self.defects = defects or []


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose key is given twice is ambiguous: refused, never the last one kept."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


def _parse_json(data: bytes) -> Any:
    try:
        # utf-8-sig: a byte order mark some tools write first is read as nothing.
        return json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as error:
        raise BadBatch(
            _("The body is not UTF-8 text (byte %(position)d).") % {"position": error.start + 1}
        ) from error
    except _DuplicateKey as error:
        raise BadBatch(
            _("The key %(key)s is given twice in one object: send each key once.")
            % {"key": json.dumps(error.key, ensure_ascii=False)}
        ) from error
    except json.JSONDecodeError as error:
        raise BadBatch(
            _("The body is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": error.lineno, "column": error.colno}
        ) from error
    except ValueError as error:  # e.g. an integer of more digits than Python reads
        raise BadBatch(_("The body is not valid JSON.")) from error
    except RecursionError as error:  # arrays or objects nested thousands deep
        raise BadBatch(_("The body's JSON is nested too deeply.")) from error


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:  # "\ud800": half of a UTF-16 pair, no character
        escape = f"\\u{ord(error.object[error.start]):04x}"
        raise BadBatch(
            _("The body contains %(escape)s, half of a UTF-16 surrogate pair: not a character.")
            % {"escape": escape}
        ) from error


def _item_defect(item: Any, position: int) -> Defect | None:
    """Why one element of ``values`` is not a value; None when it is one. An object
    without the keys, or with all four empty, would be a blank line of the CSV, which the
    import skips: the value would vanish from an accepted batch."""
    line = position + 1  # the CSV line it becomes (header = 1)
    keys = ", ".join(LONG_COLUMNS)
    if not isinstance(item, dict):
        return Defect(
            "not_an_object",
            _("each value must be an object with %(keys)s") % {"keys": keys},
            line=line,
        )
    missing = [column for column in LONG_COLUMNS if column not in item]
    if missing:
        return Defect(
            "missing_keys",
            _("this value has no %(missing)s (each value needs %(keys)s)")
            % {"missing": ", ".join(missing), "keys": keys},
            line=line,
            column=missing[0],
        )
    if not any(_scalar(item[column]).strip() for column in LONG_COLUMNS):
        return Defect(
            "empty_value", _("this value is empty: give %(keys)s") % {"keys": keys}, line=line
        )
    return None


def json_to_csv(data: bytes) -> bytes:
    """``{"values": [{station_code, period, indicator_code, value}, …]}`` as long-form CSV."""
    document = _parse_json(data)
    values = document.get("values") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise BadBatch(_('The body must be a JSON object with a list "values".'))
    if not values:
        raise BadBatch(_('"values" is empty: send at least one value.'))
    defects = [defect for position, item in enumerate(values, start=1)
               if (defect := _item_defect(item, position)) is not None]  # fmt: skip
    if defects:
        if all(defect.code == "not_an_object" for defect in defects):
            raise BadBatch(_("Some values are not objects."), defects)
        raise BadBatch(
            _("Some values are not objects with %(keys)s.") % {"keys": ", ".join(LONG_COLUMNS)},
            defects,
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LONG_COLUMNS)
    for item in values:
        writer.writerow([_scalar(item.get(column)) for column in LONG_COLUMNS])
    return _utf8(out.getvalue())


def scope_defects(
    table: Table,
    *,
    station_company: dict[str, int],
    company_id: int,
    company_name: str,
    known_indicators: set[str],
    allowed_indicators: set[str],
) -> list[Defect]:
    """Lines naming a station of another company, or an indicator the token may not send.
    Unknown codes are left to the import's own check, which names them."""
    defects: list[Defect] = []
    position = {name: index for index, name in enumerate(table.header)}
    wide = INDICATOR not in position and VALUE not in position

    def outside(code: str) -> bool:
        return code in known_indicators and code not in allowed_indicators

    def not_allowed(code: str, line: int, column: str) -> Defect:
        return Defect(
            "indicator_not_allowed",
            _("this token may not send indicator %(code)s") % {"code": code},
            line=line,
            column=column,
        )

    if wide:
        for name in table.header:
            if name not in (STATION, PERIOD) and outside(name):
                defects.append(not_allowed(name, 1, name))
    for line, cells in table.rows:

        def cell(name: str, cells: list[object] = cells) -> str:
            index = position.get(name)
            return cell_text(cells[index]) if index is not None and index < len(cells) else ""

        station = cell(STATION)
        owner = station_company.get(station)
        if owner is not None and owner != company_id:
            defects.append(
                Defect(
                    "station_not_in_company",
                    _("station %(code)s is not a station of %(company)s")
                    % {"code": station, "company": company_name},
                    line=line,
                    column=STATION,
                )
            )
        if not wide:
            code = cell(INDICATOR).lower()
            if outside(code):
                defects.append(not_allowed(code, line, INDICATOR))
    return defects


def json_row_name(line: int) -> str:
    """How a message names another value of a JSON batch: by its ``row`` (the CSV line
    it became, less the header)."""
    return _("row %(row)d of values") % {"row": line - 1}


def defect_rows(defects: list[Defect], *, kind: str) -> list[dict[str, Any]]:
    """Defects as the API shows them; a JSON batch's lines become positions in ``values``."""
    shift = 1 if kind == JSON else 0
    rows = []
    for defect in defects:
        row = defect.line - shift if defect.line is not None else None
        if kind == JSON and row == 0:
            row = None  # the header line of the CSV we wrote: the batch as a whole
        rows.append(
            {"row": row, "column": defect.column, "code": defect.code, "message": defect.message}
        )
    return rows
