"""The command-line round trip of docs/data-formats.md gives the documented scores."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from indicators.models import IndicatorValue
from scoring.engine import ScoringMethod
from scoring.models import MethodVersion, RunStatus, ScoreRun, StationScore, WeightSet
from scoring.targets import SEED_TARGETS, as_goalposts
from stations.models import Company, Station

# Real transactions: the recompute runs when the import commits, as it does for an admin.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

# docs/scoring.md, "Worked example": code → (score, rank, grade, coverage, reason),
# under the default (absolute: the seeded targets, thresholds 90/80/70/60) ...
DOCUMENTED = {
    "A01": ("96.05", "1", "red", "1.0", ""),
    "A02": ("72.81", "2", "blue", "1.0", ""),
    "B01": ("67.98", "3", "green", "1.0", ""),
    "B02": ("59.87", "4", "yellow", "0.8", ""),
    "B03": ("", "", "ungraded", "0.5", "low_coverage"),
}
# ... and as a league table (min-max, 20 % quotas: examples/method-league-table.json).
DOCUMENTED_LEAGUE = {
    "A01": ("100.00", "1", "red", "1.0", ""),
    "A02": ("50.00", "2", "orange", "1.0", ""),
    "B01": ("50.00", "2", "orange", "1.0", ""),
    "B02": ("37.50", "4", "yellow", "0.8", ""),
    "B03": ("", "", "ungraded", "0.5", "low_coverage"),
}


def command(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def exported(period: str) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO(command("export_scores", "--period", period)))
    return {row["station_code"]: row for row in rows}


@pytest.fixture
def example_company():
    command("import_stations", str(EXAMPLES / "stations.csv"))
    command("set_weights", str(EXAMPLES / "weights.csv"), "--effective-from", "2026-01")


@pytest.mark.parametrize("values_file", ["values-2026-09.csv", "values-wide.csv"])
def test_round_trip_gives_documented_scores(example_company, values_file):
    output = command("import_indicators", str(EXAMPLES / values_file))
    assert "2026-09: done (4 of 5 graded, " in output

    rows = exported("2026-09")
    assert list(rows) == ["A01", "A02", "B01", "B02", "B03"]
    for code, (score, rank, grade, coverage, reason) in DOCUMENTED.items():
        row = rows[code]
        assert (row["score"], row["rank"], row["grade"]) == (score, rank, grade), code
        assert (row["coverage"], row["ungraded_reason"]) == (coverage, reason), code
    # line_loss 5.0 between floor 9 and target 3; satisfaction 95 between 80 and 98.
    assert rows["A02"]["norm_line_loss"] == "66.67"
    assert rows["B01"]["norm_customer_satisfaction"] == "83.33"
    assert rows["B02"]["norm_customer_satisfaction"] == ""


def test_the_league_table_regrades_the_example_as_documented(example_company):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    output = command(
        "set_method",
        str(EXAMPLES / "method-league-table.json"),
        "--effective-from",
        "2026-09",
        "--reason",
        "a league table",
    )
    assert "Saved method version 2 (minmax/quotas)" in output

    rows = exported("2026-09")
    for code, (score, rank, grade, coverage, reason) in DOCUMENTED_LEAGUE.items():
        row = rows[code]
        assert (row["score"], row["rank"], row["grade"]) == (score, rank, grade), code
        assert (row["coverage"], row["ungraded_reason"]) == (coverage, reason), code
    assert rows["A02"]["norm_line_loss"] == "33.33"
    assert rows["B01"]["norm_customer_satisfaction"] == "50.00"


def test_fresh_database_creates_the_company():
    assert Company.objects.count() == 0
    command("import_stations", str(EXAMPLES / "stations.csv"))
    company = Company.objects.get()
    assert company.counties.count() == 2
    assert Station.objects.filter(county__company=company).count() == 5
    # a new company is scoreable at once: version 1 weights every indicator equally
    first = WeightSet.objects.get(company=company)
    assert first.version == 1
    assert sum(w.weight for w in first.weights.all()) == 100
    # ... and method version 1 scores it absolutely, against the seeded targets.
    method = MethodVersion.objects.get(company=company)
    assert method.version == 1 and method.effective_from.isoformat() == "2000-01-01"
    assert ScoringMethod.from_record(method.params) == ScoringMethod(
        goalposts=as_goalposts(SEED_TARGETS)
    )


def test_import_stations_upserts_by_code(example_company, write_file):
    path = write_file(
        "more.csv",
        "code,name,county,latitude,longitude,staff_count,active\n"
        "A01,甲供电所(新),海曙,29.86,121.55,41,yes\n"
        "C01,己供电所,北仑,29.88,121.85,33,no\n",
    )
    assert "1 stations created, 1 updated, 1 new counties" in command("import_stations", str(path))
    assert Station.objects.get(code="A01").name == "甲供电所(新)"
    assert Station.objects.get(code="C01").active is False


def test_bad_stations_file_writes_nothing(write_file):
    path = write_file(
        "bad.csv",
        "code,name,county,latitude,longitude,staff_count\n"
        "A01,甲,海曙,north,121.5,10\n"
        "A01,乙,海曙,29.8,191,ten\n",
    )
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_stations", str(path))
    message = str(caught.value)
    assert "line 2, column latitude: 'north' is not a number" in message
    assert "line 3, column code: station A01 was already given on line 2" in message
    assert "line 3, column longitude: 191 is outside" in message
    assert (
        "line 3, column staff_count: 'ten' is not a staff count (a whole number, 0 or more)"
        in message
    )
    assert Company.objects.count() == 0
    assert Station.objects.count() == 0


def test_set_weights_rejects_a_bad_file_whole(example_company, write_file):
    path = write_file(
        "w.csv",
        "indicator_code,weight\nsafety,50\nsafety,10\nspeed,5\nline_loss,-3\n",
    )
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_weights", str(path), "--effective-from", "2026-03")
    message = str(caught.value)
    assert "line 3, column indicator_code: safety was already given on line 2" in message
    assert "line 4, column indicator_code: unknown indicator code 'speed'" in message
    assert "line 5, column weight: '-3' is not a weight" in message
    assert "indicator customer_satisfaction has no weight" in message
    assert WeightSet.objects.count() == 2  # v1 and the example's v2 only


def test_set_weights_refuses_weights_that_are_all_zero(example_company, write_file):
    text = "indicator_code,weight\n" + "".join(
        f"{line.split(',')[0]},0\n" for line in (EXAMPLES / "weights.csv").read_text().split()[1:]
    )
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="the weights are all 0: give at least one"),
    ):
        call_command("set_weights", str(write_file("w.csv", text)), "--effective-from", "2026-03")
    assert WeightSet.objects.count() == 2


def xlsx(path: Path, text: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in csv.reader(io.StringIO(text)):
        book.active.append([row[0], float(row[1]) if row[1][:1].isdigit() else row[1]])
    book.save(path)
    return path


@pytest.mark.parametrize("layout", ["csv", "xlsx"])
def test_weights_need_not_sum_to_100_each_counts_by_its_share(
    example_company, write_file, tmp_path, layout
):
    # 5, 3, 2 are the example's 50, 30, 20 as shares of a total of 10: the same scores.
    text = (
        (EXAMPLES / "weights.csv")
        .read_text()
        .replace("safety,50", "safety,5")
        .replace("line_loss,30", "line_loss,3")
        .replace("customer_satisfaction,20", "customer_satisfaction,2")
    )
    path = write_file("w.csv", text) if layout == "csv" else xlsx(tmp_path / "w.xlsx", text)
    output = command("set_weights", str(path), "--effective-from", "2026-01")
    assert "Saved weight version 3" in output
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    assert ScoreRun.objects.get(is_current=True).weight_set.version == 3
    rows = exported("2026-09")
    for code, (score, rank, grade, coverage, _reason) in DOCUMENTED.items():
        assert (rows[code]["score"], rows[code]["rank"], rows[code]["grade"]) == (
            score,
            rank,
            grade,
        ), code
        assert rows[code]["coverage"] == coverage, code


def test_new_weights_rescore_governed_months_and_keep_history(example_company, write_file):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    first_run = ScoreRun.objects.get(is_current=True)
    text = (EXAMPLES / "weights.csv").read_text()
    text = text.replace("safety,50", "safety,20").replace(
        "customer_satisfaction,20", "customer_satisfaction,50"
    )
    output = command("set_weights", str(write_file("w.csv", text)), "--effective-from", "2026-09")
    assert "Recompute requested for 1 months: 2026-09" in output

    new_run = ScoreRun.objects.get(is_current=True)
    assert new_run.pk != first_run.pk
    assert new_run.weight_set.version == 3
    first_run.refresh_from_db()
    assert first_run.weight_set.version == 2
    assert first_run.scores.count() == 5  # the earlier result is kept, not overwritten
    # docs/scoring.md, "Worked example" (absolute)
    assert StationScore.objects.filter(run=first_run, station__code="A02").get().score == 72.81


def test_recompute_twice_leaves_the_same_rows(example_company):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    before = list(StationScore.objects.values_list("id", "station__code", "score", "rank", "grade"))
    output = command("recompute", "--period", "2026-09", "--sync")
    assert "inputs unchanged" in output
    command("recompute", "--all", "--sync")
    after = list(StationScore.objects.values_list("id", "station__code", "score", "rank", "grade"))
    assert after == before
    assert ScoreRun.objects.filter(is_current=True).count() == 1
    assert ScoreRun.objects.filter(status=RunStatus.DONE, unchanged=True).count() == 2


def test_export_before_scoring_is_a_clear_error(example_company):
    with translation.override("en"), pytest.raises(CommandError, match="has not been scored yet"):
        call_command("export_scores", "--period", "2026-09")


def test_export_lists_stations_added_after_the_run(example_company, write_file):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    path = write_file(
        "new.csv",
        "code,name,county,latitude,longitude,staff_count\nC09,=HYPERLINK(),北仑,29.9,121.8,9\n",
    )
    command("import_stations", str(path))
    row = exported("2026-09")["C09"]
    assert (row["grade"], row["score"], row["ungraded_reason"]) == ("ungraded", "", "not_scored")
    assert row["station_name"] == "'=HYPERLINK()"  # formula neutralised


def test_export_to_file(example_company, tmp_path):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    target = tmp_path / "out.csv"
    command("export_scores", "--period", "2026-09", "--output", str(target))
    header = target.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:9] == [
        "station_code",
        "station_name",
        "county",
        "period",
        "score",
        "rank",
        "grade",
        "coverage",
        "ungraded_reason",
    ]
    assert "norm_safety" in header and "norm_team_performance" in header


def test_bad_period_argument(example_company):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("recompute", "--period", "2026/09")


def test_values_survive_but_nothing_is_scored_when_no_weights_apply(write_file):
    command("import_stations", str(EXAMPLES / "stations.csv"))
    WeightSet.objects.update(effective_from="2030-01-01")
    output = command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    assert IndicatorValue.objects.count() == 12
    run = ScoreRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.error == "No weight version is effective for 2026-09"
    assert "failed" in output


def test_recompute_refuses_a_month_without_data(example_company):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="no indicator data for 2030-01"),
    ):
        call_command("recompute", "--period", "2030-01")
    assert not ScoreRun.objects.filter(period="2030-01-01").exists()


def test_export_to_a_missing_folder_is_a_clear_error(example_company, tmp_path):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    target = tmp_path / "no" / "such" / "folder.csv"
    with translation.override("en"), pytest.raises(CommandError, match="Cannot write"):
        call_command("export_scores", "--period", "2026-09", "--output", str(target))


@pytest.mark.parametrize("weight", ["1e30", "0.125", "10000", "-1", "NaN", "abc"])
def test_weights_outside_what_a_weight_stores_or_too_precise_are_refused(
    example_company, write_file, weight
):
    text = (
        (EXAMPLES / "weights.csv").read_text().replace("fault_outage,0", f"fault_outage,{weight}")
    )
    with translation.override("en"), pytest.raises(CommandError, match="is not a weight"):
        call_command("set_weights", str(write_file("w.csv", text)), "--effective-from", "2026-03")
    assert WeightSet.objects.count() == 2


def test_a_short_stations_row_is_a_defect_not_a_traceback(write_file):
    path = write_file("short.csv", "name,county,latitude,longitude,staff_count,code\nX\n")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_stations", str(path))
    assert "line 2, column code: the code is empty" in str(caught.value)
    assert Station.objects.count() == 0


def test_export_keeps_stations_deactivated_after_the_month_was_scored(example_company):
    command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
    Station.objects.filter(code="A02").update(active=False)
    rows = exported("2026-09")
    assert [(code, row["rank"]) for code, row in rows.items()] == [
        ("A01", "1"), ("A02", "2"), ("B01", "3"), ("B02", "4"), ("B03", ""),
    ]  # fmt: skip
