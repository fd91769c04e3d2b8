"""The XLSX reader: calamine for workbooks without formulas, openpyxl for the others,
and both give the same cells on the same lines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from tabular import reading
from tabular.defects import FileRejected
from tabular.reading import ReadLimits, read_table


def _workbook(path: Path, *, formula: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet["B3"] = " Station_Code "
    sheet["C3"] = "period"
    sheet["D3"] = "safety"
    sheet["B4"] = 1001
    sheet["C4"] = datetime(2026, 11, 1)
    sheet["D4"] = 55.25
    sheet["B6"] = "  BI02 "
    sheet["C6"] = "2026-10"
    sheet["D6"] = 0.1 + 0.2
    sheet["E6"] = True
    if formula:
        sheet["D7"] = formula
    book.create_sheet("other")["A1"] = "ignored"
    book.save(path)
    return path


def test_both_readers_give_the_same_cells_on_the_same_lines(tmp_path):
    path = _workbook(tmp_path / "values.xlsx")
    limits = ReadLimits()
    fast = reading._read_xlsx_values(path, "values.xlsx", limits)
    exact = reading._read_xlsx_with_formulas(path, "values.xlsx", limits)
    assert fast.header == exact.header == ["", "station_code", "period", "safety"]
    assert fast.rows == exact.rows
    assert fast.rows == [
        (4, ["", 1001, datetime(2026, 11, 1), 55.25]),
        (6, ["", "BI02", "2026-10", 0.3, True]),
    ]


def test_a_workbook_with_a_formula_is_read_by_openpyxl(tmp_path, monkeypatch):
    plain = _workbook(tmp_path / "plain.xlsx")
    with_formula = _workbook(tmp_path / "formula.xlsx", formula="=D4*2")
    assert not reading._has_formulas(plain)
    assert reading._has_formulas(with_formula)
    used = []

    def calamine(*args):
        used.append("calamine")
        return reading.Table(["x"], [(2, ["a"])])

    monkeypatch.setattr(reading, "_read_xlsx_values", calamine)
    read_table(plain, ReadLimits())
    assert used == ["calamine"]
    # openpyxl wrote the formula without a result: refused, naming the line.
    with pytest.raises(FileRejected) as refused:
        read_table(with_formula, ReadLimits())
    assert [(d.code, d.line) for d in refused.value.defects] == [("unresolved_formula", 7)]
    assert used == ["calamine"]


def test_a_broken_workbook_is_refused_not_raised(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(FileRejected) as refused:
        read_table(path, ReadLimits())
    assert [d.code for d in refused.value.defects] == ["bad_xlsx"]
