"""Blank indicator files to fill in: long and wide, CSV and XLSX.

A template's header names each indicator as ``中文名（code）``, which the import reads
(``indicators.validation.header_aliases``); the XLSX template adds a second sheet with
every indicator's name, unit and valid range (the import reads the first sheet only).
The wide template lists the company's active stations for the month to fill; the long
one gives one row per indicator for its first station, as an example.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from indicators.periods import format_period
from indicators.validation import LONG_COLUMNS, PERIOD, STATION

LAYOUTS = ("long", "wide")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class TemplateIndicator:
    code: str
    name: str
    unit: str
    min_value: float
    max_value: float

    @property
    def header(self) -> str:
        return f"{self.name}（{self.code}）"


def template_rows(
    layout: str, indicators: list[TemplateIndicator], station_codes: list[str], period: date
) -> list[list[str]]:
    """The header and rows of a template (values left empty)."""
    month = format_period(period)
    if layout == "wide":
        header = [STATION, PERIOD, *(indicator.header for indicator in indicators)]
        return [header, *([code, month] + [""] * len(indicators) for code in station_codes)]
    example = station_codes[:1] or ["S0001"]
    rows: list[list[str]] = [list(LONG_COLUMNS)]
    rows.extend([example[0], month, indicator.code, ""] for indicator in indicators)
    return rows


def template_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese header right."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx(
    rows: list[list[str]], indicators: list[TemplateIndicator], labels: dict[str, str]
) -> bytes:
    """The rows on the first sheet (text cells, so codes keep their leading zeros), the
    indicators' reference on the second. ``labels`` names the second sheet's columns."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    values = book.create_sheet(labels["values"])
    for row in rows:
        values.append(row)
    reference = book.create_sheet(labels["indicators"])
    reference.append([labels[key] for key in ("code", "name", "unit", "min", "max")])
    for indicator in indicators:
        reference.append(
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                indicator.min_value,
                indicator.max_value,
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
