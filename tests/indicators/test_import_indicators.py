"""The indicator import: every bad-input class is rejected whole, with line and column."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import translation

import indicators.services
from indicators.models import ImportBatch, ImportSource, IndicatorValue
from indicators.services import import_indicator_file
from scoring.models import ScoreRun
from tabular.defects import FileRejected
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = "station_code,period,indicator_code,value\n"


def run_import(path: Path):
    with translation.override("en"):
        return import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)


def rejected(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        run_import(path)
    assert IndicatorValue.objects.count() == 0, "a rejected file must write nothing"
    assert ImportBatch.objects.count() == 0
    assert ScoreRun.objects.count() == 0
    return caught.value


def only_defect(error: FileRejected):
    assert len(error.defects) == 1, [str(d) for d in error.defects]
    return error.defects[0]


def test_long_form_is_imported_with_its_batch(three_stations, write_file):
    path = write_file(
        "may.csv",
        HEADER + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS3,2026-05,line_loss,4.5\n",
    )
    result = run_import(path)
    assert IndicatorValue.objects.count() == 3
    value = IndicatorValue.objects.get(station__code="S3", indicator__code="line_loss")
    assert value.value == 4.5
    assert value.batch == result.batch
    assert result.batch.file_name == "may.csv"
    assert result.batch.source == ImportSource.COMMAND_LINE
    assert result.batch.periods == ["2026-05"]
    assert len(result.batch.file_sha256) == 64
    assert [run.period.isoformat() for run in result.runs] == ["2026-05-01"]


def test_wide_form_with_empty_cells_read_as_missing(three_stations, write_file):
    path = write_file(
        "wide.csv",
        "station_code,period,safety,line_loss\nS1,2026-05,90,3\nS2,2026-05,,4\n",
    )
    result = run_import(path)
    assert result.layout == "wide"
    assert result.empty_cells == 1
    assert IndicatorValue.objects.count() == 3


def test_reimport_updates_value_and_batch(three_stations, write_file):
    run_import(write_file("a.csv", HEADER + "S1,2026-05,safety,90\n"))
    second = run_import(write_file("b.csv", HEADER + "S1,2026-05,safety,91\n"))
    value = IndicatorValue.objects.get()
    assert (value.value, value.batch_id) == (91.0, second.batch.pk)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_utf8_bom_and_gbk_are_read(three_stations, write_file, encoding):
    three_stations[0].code = "梅林01"
    three_stations[0].save()
    path = write_file("enc.csv", HEADER + "梅林01,2026-05,safety,88\n", encoding=encoding)
    run_import(path)
    assert IndicatorValue.objects.get().station.code == "梅林01"


@pytest.mark.parametrize(
    ("row", "column", "code", "message"),
    [
        ("XX,2026-05,safety,90", "station_code", "unknown_station", "unknown station code 'XX'"),
        ("S1,2026-05,speed,90", "indicator_code", "unknown_indicator", "unknown indicator code"),
        ("S1,2026-05,safety,abc", "value", "not_a_number", "'abc' is not a finite number"),
        ("S1,2026-05,safety,NaN", "value", "not_a_number", "is not a finite number"),
        ("S1,2026-05,safety,inf", "value", "not_a_number", "is not a finite number"),
        ("S1,2026-05,safety,", "value", "empty_value", "the value is empty"),
        ("S1,2026-05,safety,101", "value", "out_of_range", "outside the valid range 0 to 100"),
        ("S1,2026-05,safety,-1", "value", "out_of_range", "outside the valid range"),
        ("S1,2026-13,safety,90", "period", "bad_period", "is not a month of the form YYYY-MM"),
        ("S1,05/2026,safety,90", "period", "bad_period", "YYYY-MM"),
        ("S1,2026-12,safety,90", "period", "future_period", "2026-12 is in the future"),
        (",2026-05,safety,90", "station_code", "empty_value", "station code is empty"),
    ],
)
def test_each_bad_cell_is_named_by_line_and_column(
    three_stations, write_file, row, column, code, message
):
    path = write_file("bad.csv", HEADER + "S2,2026-05,safety,50\n" + row + "\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (3, column, code)
    assert message in defect.message


def test_every_defect_is_reported_not_just_the_first(three_stations, write_file):
    path = write_file(
        "many.csv",
        HEADER + "XX,2026-05,safety,90\nS1,2026-05,safety,abc\nS2,2026-5,safety,1\n",
    )
    error = rejected(path)
    assert [(d.line, d.column) for d in error.defects] == [
        (2, "station_code"),
        (3, "value"),
        (4, "period"),
    ]
    with translation.override("en"):
        report = error.report()
    assert "many.csv was rejected, nothing was written (3 problems)" in report
    assert "line 3, column value: 'abc' is not a finite number" in report


def test_conflicting_duplicates_name_both_lines(three_stations, write_file):
    path = write_file(
        "dup.csv",
        HEADER + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS1,2026-05,safety,91\n",
    )
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (4, "value", "conflicting_duplicate")
    assert "on line 2" in defect.message


def test_conflicting_duplicates_in_wide_form_name_the_indicator_column(three_stations, write_file):
    path = write_file("dup.csv", "station_code,period,safety\nS1,2026-05,90\nS1,2026-05,91\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (3, "safety", "conflicting_duplicate")


def test_a_directory_is_refused_not_a_traceback(three_stations, tmp_path):
    defect = only_defect(rejected(tmp_path))
    assert defect.code == "unreadable"
    assert "is not a file" in defect.message


def test_identical_duplicates_are_accepted_once(three_stations, write_file):
    path = write_file("same.csv", HEADER + "S1,2026-05,safety,90\nS1,2026-05,safety,90.0\n")
    run_import(path)
    assert IndicatorValue.objects.count() == 1


def test_missing_column(three_stations, write_file):
    path = write_file("cols.csv", "station_code,period,indicator_code\nS1,2026-05,safety\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (1, "value", "missing_column")


def test_unknown_wide_column(three_stations, write_file):
    path = write_file("wide.csv", "station_code,period,safety,colour\nS1,2026-05,90,red\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (1, "colour", "unknown_indicator")


def test_wide_row_without_any_value(three_stations, write_file):
    path = write_file("wide.csv", "station_code,period,safety,line_loss\nS1,2026-05,,\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.code) == (2, "empty_value")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"\n\n  \n", "empty_file"),
        (HEADER.encode(), "no_rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file"),
        (b"station_code,period\n\xff\xfe\xfa\xfb\xff\n", "bad_encoding"),
    ],
)
def test_empty_binary_and_undecodable_files(three_stations, write_file, content, code):
    defect = only_defect(rejected(write_file("odd.csv", content)))
    assert defect.code == code


def test_file_mixing_two_companies(three_stations, write_file):
    from tests.factories import StationFactory

    StationFactory(code="OTHER")  # in a second company
    path = write_file("mixed.csv", HEADER + "S1,2026-05,safety,90\nOTHER,2026-05,safety,80\n")
    defect = only_defect(rejected(path))
    assert defect.code == "mixed_companies"


def test_too_many_rows(three_stations, write_file, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = "".join(f"S1,2026-0{m},safety,90\n" for m in range(1, 4))
    defect = only_defect(rejected(write_file("big.csv", HEADER + rows)))
    assert defect.code == "too_many_rows"


# --- XLSX ------------------------------------------------------------------------


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_long_form_with_numeric_codes_and_date_periods(company, write_file):
    from datetime import datetime

    from tests.factories import StationFactory

    StationFactory(code="1001", county__company=company)
    content = xlsx_bytes(
        [
            ["station_code", "period", "indicator_code", "value"],
            [1001, "2026-05", "safety", 90],
            [1001, datetime(2026, 6, 1), "safety", 91.5],
        ]
    )
    result = run_import(write_file("data.xlsx", content))
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [90.0, 91.5]
    assert [p.isoformat() for p in result.periods] == ["2026-05-01", "2026-06-01"]


def test_xlsx_defects_use_sheet_rows(three_stations, write_file):
    content = xlsx_bytes(
        [["station_code", "period", "indicator_code", "value"], ["S1", "2026-05", "safety", "x"]]
    )
    defect = only_defect(rejected(write_file("data.xlsx", content)))
    assert (defect.line, defect.column, defect.code) == (2, "value", "not_a_number")


def zip_bomb() -> bytes:
    """A 'workbook' whose sheet inflates to 100 MB from ~100 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<c><v>1</v></c>" * (100 * 1024 * 1024 // 15))
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_before_parsing(three_stations, write_file):
    content = zip_bomb()
    assert len(content) < 300 * 1024
    defect = only_defect(rejected(write_file("bomb.xlsx", content)))
    assert defect.code == "xlsx_too_large"


def test_broken_xlsx(three_stations, write_file):
    defect = only_defect(rejected(write_file("broken.xlsx", b"PK\x03\x04 not really a zip")))
    assert defect.code == "bad_xlsx"


# --- command line ------------------------------------------------------------------


def test_command_reports_defects_without_traceback(three_stations, write_file):
    path = write_file("bad.csv", HEADER + "S1,2026-05,safety,abc\n")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_indicators", str(path))
    assert "line 2, column value: 'abc' is not a finite number" in str(caught.value)
    assert IndicatorValue.objects.count() == 0


def test_command_missing_file(db):
    with translation.override("en"), pytest.raises(CommandError, match="No such file or directory"):
        call_command("import_indicators", "/nonexistent/file.csv")


def test_a_value_under_no_column_name_is_refused(three_stations, write_file):
    path = write_file("stray.csv", "station_code,period,safety,\nS1,2026-05,90,55\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (2, "#4", "unnamed_column")
    assert "'55'" in defect.message


def test_a_row_longer_than_the_header_is_refused(three_stations, write_file):
    path = write_file("long.csv", HEADER + "S1,2026-05,safety,90,oops\n")
    defect = only_defect(rejected(path))
    assert (defect.line, defect.column, defect.code) == (2, "#5", "unnamed_column")


@pytest.mark.parametrize("value", ["1_0", "１０", "0x10", '"1,5"', " "])
def test_only_plain_numbers_are_numbers(three_stations, write_file, value):
    defect = only_defect(rejected(write_file("n.csv", HEADER + f"S1,2026-05,safety,{value}\n")))
    assert defect.code in {"not_a_number", "empty_value"}
    assert defect.line == 2


@pytest.mark.parametrize(
    ("text", "number"), [("90", 90.0), ("+9.5", 9.5), (".5", 0.5), ("1e1", 10.0)]
)
def test_plain_numbers_are_read(three_stations, write_file, text, number):
    run_import(write_file("n.csv", HEADER + f"S1,2026-05,safety,{text}\n"))
    assert IndicatorValue.objects.get().value == number


def test_xlsx_formula_without_a_saved_result_is_refused(three_stations, write_file):
    content = xlsx_bytes(
        [
            ["station_code", "period", "safety"],
            ["S1", "2026-05", 90],
            ["S2", "2026-05", "=B2*1"],  # openpyxl writes the formula, no cached value
        ]
    )
    defect = only_defect(rejected(write_file("formula.xlsx", content)))
    assert (defect.line, defect.column, defect.code) == (3, "#3", "unresolved_formula")


class Deadlock(Exception):
    sqlstate = "40P01"


def test_an_import_that_keeps_meeting_a_lock_conflict_says_so_without_a_traceback(
    three_stations, write_file, monkeypatch
):
    attempts = []

    def conflict(company_id, periods):
        attempts.append(company_id)
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr(indicators.services, "lock_company_months", conflict)
    monkeypatch.setattr(indicators.services.time, "sleep", lambda seconds: None)
    path = write_file("may.csv", HEADER + "S1,2026-05,safety,90\n")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_indicators", str(path))
    assert str(caught.value) == "Another import of the same month was running; try again."
    assert len(attempts) == indicators.services.CONFLICT_ATTEMPTS
    assert IndicatorValue.objects.count() == 0 and ImportBatch.objects.count() == 0
