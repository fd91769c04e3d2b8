"""The fast import path (column-wise check, COPY/upsert): it keeps exactly what the
cell-by-cell check reads and says, for every kind of file and defect."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import translation

import indicators.services
from indicators.models import ImportBatch, ImportSource, Indicator, IndicatorValue, ValueHistory
from indicators.services import check_indicator_file, import_indicator_file, value_reference
from indicators.validation import parse_indicator_table
from scoring.models import ScoreRun
from stations.models import County
from tabular.defects import FileRejected
from tabular.reading import limits_from_settings, read_table
from tests.conftest import TODAY
from tests.factories import CompanyFactory, StationFactory

pytestmark = pytest.mark.django_db

HEADER = "station_code,period,indicator_code,value\n"
WIDE = "station_code,period,safety,line_loss,financial\n"


@pytest.fixture
def stations(three_stations):
    """S1–S3, T1 of another company, line_loss retired from 2026-10, financial counting
    only from 2026-06."""
    county = County.objects.create(company=CompanyFactory(name="其他公司"), name="其他")
    StationFactory(code="T1", county=county)
    Indicator.objects.filter(code="line_loss").update(retired_from=date(2026, 10, 1), active=False)
    Indicator.objects.filter(code="financial").update(active_from=date(2026, 6, 1))
    return three_stations


def exact(path: Path):
    """Today's reader and cell-by-cell check, without the fast path."""
    table = read_table(path, limits_from_settings(), display_name=path.name)
    return parse_indicator_table(table, value_reference(TODAY), path.name)


def fast(path: Path):
    return check_indicator_file(path, display_name=path.name, today=TODAY)


def outcome(check, path: Path):
    with translation.override("en"):
        try:
            parsed = check(path)
        except FileRejected as refusal:
            return "rejected", [str(defect) for defect in refusal.defects]
    values = sorted((r.station_code, r.period, r.indicator_code, r.value) for r in parsed.records)
    return values, parsed.row_count, parsed.empty_cells, parsed.layout, parsed.company_id


def proven_clean(path: Path) -> bool:
    """Whether the column-wise check alone accepted the file (no cell-by-cell check)."""
    return indicators.services._check_columns(path, value_reference(TODAY)) is not None


def column_outcome(path: Path):
    """What the column-wise check alone answers (None: it left the file to the cells)."""
    with translation.override("en"):
        try:
            parsed = indicators.services._check_columns(path, value_reference(TODAY))
        except FileRejected as refusal:
            return "rejected", [str(defect) for defect in refusal.defects]
    return None if parsed is None else "parsed"


CLEAN = {
    "long": HEADER + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS3,2026-05,line_loss,4.5\n",
    "long, spaces, upper-case codes, number forms": HEADER
    + " S1 , 2026-05 ,SAFETY, 90 \nS2,2026-05,Safety,+8e1\nS3,2026-05,safety,.5\n"
    + "S1,2026-06,safety,7.\n",
    "long, blank lines, a row of commas, CRLF, BOM": "\ufeff\r\n"
    + HEADER.replace("\n", "\r\n")
    + "S1,2026-05,safety,90\r\n\r\n,,,\r\nS2,2026-05,safety,80\r\n\r\n",
    "long, the same value twice": HEADER + "S1,2026-05,safety,90\nS1,2026-05,safety,90.0\n",
    "long, an extra column": "note,"
    + HEADER.replace("\n", ",extra\n")
    + "x,S1,2026-05,safety,90,y\n",
    "wide, empty cells": WIDE + "S1,2026-05,90,4.5,\nS2,2026-05,,3,\nS3,2026-06,1,,100\n",
    "wide, short rows": WIDE + "S1,2026-05,90\nS2,2026-05,80,2\n",
    "quoted cells": HEADER + '"S1","2026-05","safety","90"\nS2,2026-05,safety,"80"\n',
}

DEFECTIVE = {
    "empty station": HEADER + ",2026-05,safety,90\n",
    "unknown station": HEADER + "S1,2026-05,safety,90\nS9,2026-05,safety,90\n",
    "another company": HEADER + "S1,2026-05,safety,90\nT1,2026-05,safety,90\n",
    "empty period": HEADER + "S1,,safety,90\n",
    "bad period": HEADER + "S1,2026-13,safety,90\nS2,05/2026,safety,1\n",
    "future period": HEADER + "S1,2027-01,safety,90\n",
    "empty indicator": HEADER + "S1,2026-05,,90\n",
    "unknown indicator": HEADER + "S1,2026-05,speed,90\n",
    "empty value": HEADER + "S1,2026-05,safety,\n",
    "not a number": HEADER
    + "S1,2026-05,safety,abc\nS2,2026-05,safety,1_0\n"
    + "S3,2026-05,safety,nan\nS1,2026-06,safety,inf\nS2,2026-06,safety,１\n",
    "infinite": HEADER + "S1,2026-05,safety,1e999\n",
    "out of range": HEADER + "S1,2026-05,safety,101\nS2,2026-05,safety,-0.5\n",
    "retired": HEADER + "S1,2026-10,line_loss,4\n",
    "not yet in force": HEADER + "S1,2026-05,financial,40\n",
    "conflicting duplicate": HEADER + "S1,2026-05,safety,90\nS1,2026-05,safety,91\n",
    "wide, unknown column": WIDE.replace("financial", "speed") + "S1,2026-05,90,4,1\n",
    "wide, no indicator column": "station_code,period\nS1,2026-05\n",
    "wide, a row without values": WIDE + "S1,2026-05,,,\n",
    "wide, retired column filled": WIDE + "S1,2026-10,90,4,50\n",
    "missing column": "station_code,period,value\nS1,2026-05,90\n",
    "column twice": "station_code,period,indicator_code,value,value\nS1,2026-05,safety,90,1\n",
    "row longer than the header": HEADER + "S1,2026-05,safety,90\nS1,2026-06,safety,90,oops\n",
    "first row longer": HEADER + "S1,2026-05,safety,90,oops\nS2,2026-05,safety,1\n",
    "cell under an empty name": "station_code,period,indicator_code,value,\n"
    + "S1,2026-05,safety,90,x\n",
    "quoted line break": HEADER
    + 'S1,2026-05,safety,90\n"S\n2",2026-05,safety,80\n'
    + "S9,2026-05,safety,1\n",
    "header only": HEADER,
    "several defects": HEADER + "S9,2027-01,speed,x\nS1,2026-05,safety,200\n",
}


#: The defective files the cell-by-cell check reads whole.
WHOLE_FILE_CHECKED = {
    DEFECTIVE[kind]
    for kind in (
        "wide, unknown column",
        "wide, no indicator column",
        "missing column",
        "column twice",
        "row longer than the header",
        "first row longer",
        "cell under an empty name",
        "quoted line break",
        "header only",
    )
}


@pytest.mark.parametrize("content", CLEAN.values(), ids=CLEAN.keys())
def test_a_correct_file_reads_the_same_and_takes_the_fast_path(stations, write_file, content):
    path = write_file("values.csv", content)
    assert outcome(fast, path) == outcome(exact, path)
    assert outcome(fast, path)[0] != "rejected"
    if "quoted" not in content and '"' not in content:
        assert proven_clean(path)


@pytest.mark.parametrize("content", DEFECTIVE.values(), ids=DEFECTIVE.keys())
def test_every_defect_is_named_exactly_as_by_the_cell_by_cell_check(stations, write_file, content):
    path = write_file("values.csv", content)
    expected = outcome(exact, path)
    assert expected[0] == "rejected"
    assert outcome(fast, path) == expected
    answered = column_outcome(path)
    assert answered in (None, expected)
    # Only a wrong header or a file the chunked reader leaves alone goes to the cells whole.
    assert (answered is None) == (content in WHOLE_FILE_CHECKED)


def test_a_gbk_file_reads_the_same(stations, write_file):
    path = write_file("gbk.csv", HEADER + "S1,2026-05,safety,90\n", encoding="gb18030")
    assert outcome(fast, path) == outcome(exact, path)


def _workbook(tmp_path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "values.xlsx"
    book.save(path)
    return path


XLSX_CASES = {
    "long, text and numbers": [
        ["station_code", "period", "indicator_code", "value"],
        ["S1", "2026-05", "safety", 90],
        ["S2", "2026-05", "SAFETY", 80.25],
        [],
        ["S3", "2026-05", "safety", 0.1 + 0.2],
    ],
    "wide, months as dates, blanks": [
        ["station_code", "period", "safety", "line_loss", "financial"],
        ["S1", datetime(2026, 7, 1), 90, 80, 70],
        ["S2", datetime(2026, 7, 15), 91, None, 71],
    ],
    "a number where a code belongs, a date where a number belongs": [
        ["station_code", "period", "indicator_code", "value"],
        ["S1", "2026-05", "safety", datetime(2026, 5, 1)],
        [1001, "2026-05", "safety", 1],
    ],
    "a value out of range, a retired indicator, a true": [
        ["station_code", "period", "indicator_code", "value"],
        ["S1", "2026-05", "safety", 190],
        ["S1", "2026-11", "line_loss", 50],
        ["S2", "2026-05", "safety", True],
    ],
}


@pytest.mark.parametrize("rows", XLSX_CASES.values(), ids=XLSX_CASES.keys())
def test_an_xlsx_file_reads_and_is_refused_as_by_the_cell_by_cell_check(stations, tmp_path, rows):
    path = _workbook(tmp_path, rows)
    assert outcome(fast, path) == outcome(exact, path)


def test_a_correct_xlsx_file_is_checked_column_wise(stations, tmp_path, monkeypatch):
    path = _workbook(tmp_path, XLSX_CASES["wide, months as dates, blanks"])

    def not_called(*args, **kwargs):
        raise AssertionError("the cell-by-cell check ran for a correct XLSX file")

    monkeypatch.setattr(indicators.services, "parse_indicator_table", not_called)
    parsed = fast(path)
    assert sorted(
        (r.station_code, r.period, r.indicator_code, r.value) for r in parsed.records
    ) == [
        ("S1", date(2026, 7, 1), "financial", 70.0),
        ("S1", date(2026, 7, 1), "line_loss", 80.0),
        ("S1", date(2026, 7, 1), "safety", 90.0),
        ("S2", date(2026, 7, 1), "financial", 71.0),
        ("S2", date(2026, 7, 1), "safety", 91.0),
    ]
    assert parsed.empty_cells == 1


def test_a_large_correct_file_never_reaches_the_cell_by_cell_check(
    stations, write_file, monkeypatch
):
    rows = [f"S{n % 3 + 1},2026-{n // 3 % 9 + 1:02d},safety,{n % 100}" for n in range(27)]
    path = write_file("big.csv", HEADER + "\n".join(rows) + "\n")

    def not_called(*args, **kwargs):
        raise AssertionError("the cell-by-cell check ran for a correct CSV file")

    monkeypatch.setattr(indicators.services, "parse_indicator_table", not_called)
    result = import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)
    assert result.batch.value_count == IndicatorValue.objects.count() == 27
    assert len(result.runs) == 9


def test_one_defect_on_the_last_line_of_a_long_file_writes_nothing(stations, write_file):
    rows = [f"S{n % 3 + 1},2026-{n // 3 % 9 + 1:02d},safety,{n % 100}" for n in range(27)]
    path = write_file("big.csv", HEADER + "\n".join(rows) + "\nS1,2026-05,safety,101\n")
    with translation.override("en"), pytest.raises(FileRejected) as caught:
        import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)
    with translation.override("en"):
        listed = [str(defect) for defect in caught.value.defects]
    assert listed == ["line 29, column value: 101 is outside the valid range 0 to 100 of safety"]
    assert IndicatorValue.objects.count() == 0
    assert ValueHistory.objects.count() == 0
    assert ImportBatch.objects.count() == ScoreRun.objects.count() == 0


def test_stored_values_are_exactly_the_files(stations, write_file):
    path = write_file("may.csv", HEADER + "S1,2026-05,safety,90.125\nS2,2026-05,line_loss,0.1\n")
    result = import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)
    stored = set(
        IndicatorValue.objects.values_list(
            "station__code", "period", "indicator__code", "value", "batch"
        )
    )
    may = date(2026, 5, 1)
    assert stored == {
        ("S1", may, "safety", 90.125, result.batch.pk),
        ("S2", may, "line_loss", 0.1, result.batch.pk),
    }


@pytest.mark.parametrize("chunk_rows", [2, 100_000])
def test_defects_across_chunks_are_named_as_by_the_cells(
    stations, write_file, monkeypatch, chunk_rows
):
    import tabular.frames

    monkeypatch.setattr(tabular.frames.read_csv_chunks, "__defaults__", (chunk_rows,))
    long_file = write_file(
        "long.csv",
        HEADER
        + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS9,2026-05,safety,1\n"
        + "S1,2026-05,safety,90\nS3,2026-05,safety,70\nS1,2026-05,safety,91\n"
        + "T1,2026-05,safety,5\nS2,2026-05,safety,80.5\nS3,2026-05,safety,x\n",
    )
    wide_file = write_file(
        "wide.csv",
        WIDE
        + "S1,2026-05,90,4,\nS2,2026-05,80,,\nS1,2026-05,90,5,\nS2,2026-05,101,3,\n"
        + "S3,2026-10,1,2,50\nS2,2026-05,81,,\n",
    )
    for path in (long_file, wide_file):
        expected = outcome(exact, path)
        assert expected[0] == "rejected"
        assert column_outcome(path) == expected
        assert outcome(fast, path) == expected
