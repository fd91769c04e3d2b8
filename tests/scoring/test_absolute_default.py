"""Absolute scoring is the default: a colour is a level of management, so every station
can reach red; the league table is still a choice, and still gives its quotas."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from scoring.targets import SEED_TARGETS
from tests.builders import run_month, write_values
from tests.factories import CompanyFactory, StationFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
STATIONS = ["A01", "A02", "B01", "B02", "B03"]


def command(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def values_file(write_file, values: dict[str, dict[str, float]]) -> Path:
    rows = [
        f"{station},2026-09,{code},{value}"
        for station, by_code in values.items()
        for code, value in by_code.items()
    ]
    return write_file("values.csv", "station_code,period,indicator_code,value\n" + "\n".join(rows))


def graded_by_the_command_line(write_file, values) -> dict[str, dict]:
    """import_stations, import_indicators (which recomputes), export_scores."""
    command("import_stations", str(EXAMPLES / "stations.csv"))
    command("import_indicators", str(values_file(write_file, values)))
    command("recompute", "--period", "2026-09", "--sync")
    rows = csv.DictReader(io.StringIO(command("export_scores", "--period", "2026-09")))
    return {row["station_code"]: row for row in rows}


AT_TARGET = {code: target for code, (_floor, target) in SEED_TARGETS.items()}
AT_FLOOR = {code: floor for code, (floor, _target) in SEED_TARGETS.items()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_company_meeting_every_target_is_all_red(write_file):
    # B03 goes beyond every target (more safety, fewer faults): clipped, still 100.
    beyond = {
        code: target + 1 if target > floor else target - 0.4
        for code, (floor, target) in SEED_TARGETS.items()
    }
    rows = graded_by_the_command_line(
        write_file, {**dict.fromkeys(STATIONS[:4], AT_TARGET), "B03": beyond}
    )
    assert {code: (row["score"], row["grade"]) for code, row in rows.items()} == dict.fromkeys(
        STATIONS, ("100.00", "red")
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_station_at_every_floor_is_yellow_beside_the_red_ones(write_file):
    rows = graded_by_the_command_line(
        write_file, {**dict.fromkeys(STATIONS[:4], AT_TARGET), "B03": AT_FLOOR}
    )
    assert (rows["B03"]["score"], rows["B03"]["grade"]) == ("0.00", "yellow")
    assert {rows[code]["grade"] for code in STATIONS[:4]} == {"red"}


@pytest.mark.django_db
def test_the_default_grades_by_the_seeded_thresholds_whatever_the_others_do():
    company = CompanyFactory(method=None)  # version 1 as a new company gets it
    county = company.counties.create(name="海曙")
    stations = [StationFactory(code=f"S{n}", county=county) for n in range(4)]
    # Safety only differs (weights equal: each indicator 10 %): 60 → 0, 98 → 100.
    safety = [98.0, 79.0, 60.0, 60.0]
    write_values(
        date(2026, 9, 1),
        {s: {**AT_TARGET, "safety": v} for s, v in zip(stations, safety, strict=True)},
    )
    run = run_month(company, date(2026, 9, 1))
    grades = {score.station.code: (score.score, score.grade) for score in run.scores.all()}
    # 100; 90 + 10 · 19/38 = 95; 90; 90: every one red, none pushed down by the others.
    assert grades == {
        "S0": (100.0, "red"),
        "S1": (95.0, "red"),
        "S2": (90.0, "red"),
        "S3": (90.0, "red"),
    }
    assert run.method_version.version == 1 and run.method == "goalposts/thresholds"


@pytest.mark.django_db
def test_a_league_table_company_still_gives_a_fifth_per_colour():
    company = CompanyFactory()  # the league table (tests.factories.CompanyFactory)
    county = company.counties.create(name="海曙")
    stations = [StationFactory(code=f"S{n:02d}", county=county) for n in range(10)]
    write_values(
        date(2026, 9, 1),
        {s: {**AT_TARGET, "safety": 60.0 + 4 * n} for n, s in enumerate(stations)},
    )
    run = run_month(company, date(2026, 9, 1))
    assert run.method == "minmax/quotas"
    counts = Counter(score.grade for score in run.scores.all())
    assert counts == dict.fromkeys(("red", "orange", "blue", "green", "yellow"), 2)
