"""The bulletin as an Excel workbook: a summary sheet, then one sheet per section, each
with a frozen header row; grade cells filled with the grade's colour and carrying its
label, so the workbook reads the same printed in black and white."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from improvement.selectors.bulletin import Bulletin
from improvement.text import bulletin as text
from improvement.text.bulletin import Alert, GradeCell, Section
from indicators.periods import format_period
from scoring.exports import neutralise_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF1")
ALERT_FONT = Font(bold=True, color="B00020")
TOP = Alignment(vertical="top", wrap_text=True)
#: Excel refuses sheet names longer than this, or with any of these characters.
SHEET_NAME_LIMIT = 31
SHEET_NAME_REFUSED = str.maketrans("", "", "[]:*?/\\")
#: Column widths in characters are the section's times this; row height per line (points).
WIDTH_SCALE = 1.2
LINE_HEIGHT = 15


def bulletin_xlsx(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> bytes:
    """The bulletin's workbook; ``whole_lists``: where each cut list is downloaded whole."""
    workbook = Workbook()
    _summary_sheet(workbook.active, bulletin)
    for section in text.sections(bulletin, whole_lists):
        _section_sheet(workbook.create_sheet(sheet_name(section.sheet)), section)
    return _saved(workbook)


def section_xlsx(section: Section) -> bytes:
    """One of the bulletin's tables as a workbook of one sheet (a whole list)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(section.sheet)
    _section_sheet(sheet, section)
    return _saved(workbook)


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_name(name: str) -> str:
    return name.translate(SHEET_NAME_REFUSED)[:SHEET_NAME_LIMIT]


def _summary_sheet(sheet: Worksheet, bulletin: Bulletin) -> None:
    """Title in A1, then label | value rows: company, month, summary."""
    from django.utils.translation import gettext as _

    sheet.title = sheet_name(_("Summary"))
    sheet.append([text.title(bulletin)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Company"), _clean(bulletin.company.name)])
    sheet.append([_("Month"), format_period(bulletin.period)])
    sheet.append([_("Summary"), _clean(text.summary(bulletin))])
    for (label,) in sheet.iter_rows(min_row=2, max_col=1):
        label.font, label.alignment = HEADER_FONT, TOP
    sheet["B4"].alignment = TOP
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 90
    sheet.row_dimensions[4].height = 60
    _fit_page_width(sheet)


def _fit_page_width(sheet: Worksheet) -> None:
    """Printed on A4 landscape, as wide as the page, the header row on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _section_sheet(sheet: Worksheet, section: Section) -> None:
    sheet.append([column.header for column in section.columns])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, TOP
    for row in section.rows:
        values = [_value(value) for value in row]
        sheet.append(values)
        for cell, value, column in zip(sheet[sheet.max_row], row, section.columns, strict=True):
            _style(cell, value, column.kind)
        lines = max(map(_lines, values, section.columns))
        if lines > 1:  # spreadsheet programs do not all grow a row to its wrapped text
            sheet.row_dimensions[sheet.max_row].height = LINE_HEIGHT * lines
    if not section.rows and section.empty:
        sheet.append([section.empty])
    if section.more:
        sheet.append([])
        for line in section.more:
            sheet.append([_clean(line)])
    if section.note:
        sheet.append([])
        sheet.append([section.note])
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _fit_page_width(sheet)
    for index, column in enumerate(section.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width * WIDTH_SCALE


def _lines(value, column) -> int:
    """How many lines a wrapped cell takes (a Chinese character is over two columns wide)."""
    if not isinstance(value, str):
        return 1
    room = max(int(column.width * WIDTH_SCALE) - 1, 1)
    return sum(
        max(1, math.ceil(sum(2.3 if ord(char) > 0x2E80 else 1 for char in line) / room))
        for line in value.split("\n")
    )


def _value(value):
    if isinstance(value, GradeCell | Alert):
        return value.text
    if isinstance(value, str):
        return _clean(value)
    return value


def _clean(value: str):
    return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def _style(cell, value, kind: str) -> None:
    cell.alignment = TOP
    if isinstance(value, GradeCell):
        cell.fill = PatternFill("solid", fgColor=value.grade.fill.lstrip("#").upper())
        cell.font = Font(color=value.grade.text.lstrip("#").upper(), bold=True)
    elif isinstance(value, Alert):
        cell.font = ALERT_FONT
    elif kind == "score" and value is not None:
        cell.number_format = "0.00"
    elif kind == "change" and value is not None:
        cell.number_format = "+0;-0;±0"
