"""Issue #15's "done when", through the command line: a company where every station meets
every target is all red (import_stations, set_targets, set_weights, import_indicators,
recompute, export_scores)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

# Real transactions: the recompute runs when each command commits, as it does for an admin.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
STATIONS = ("A01", "A02", "B01", "B02", "B03")
HEADER = "station_code,period,indicator_code,value"

# code → (floor, target): higher is better where the target is the larger number.
TARGETS = {
    "safety": (60, 95),
    "fault_outage": (8, 1),
    "frequent_outage": (10, 1),
    "line_loss": (9, 4),
    "customer_satisfaction": (80, 95),
    "getting_electricity": (70, 95),
    "party_building": (70, 95),
    "integrity_risk": (25, 5),
    "financial": (70, 100),
    "team_performance": (70, 100),
}


def command(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def exported(period: str) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO(command("export_scores", "--period", period)))
    return {row["station_code"]: row for row in rows}


def _beyond(floor: float, target: float, step: float) -> float:
    """``step`` past the target, on its good side."""
    return target + step if target > floor else target - step


@pytest.fixture
def company_with_targets(write_file):
    command("import_stations", str(EXAMPLES / "stations.csv"))
    # The absolute method, named in full: whatever the default is, this company grades by
    # its targets and fixed thresholds.
    method = write_file(
        "absolute.json", json.dumps({"normalisation": "goalposts", "grading": "thresholds"})
    )
    command("set_method", str(method), "--effective-from", "2026-01", "--reason", "absolute")
    lines = ["indicator_code,floor,target"] + [f"{c},{f},{t}" for c, (f, t) in TARGETS.items()]
    targets = write_file("targets.csv", "\n".join(lines) + "\n")
    output = command("set_targets", str(targets), "--from", "2026-01", "--reason", "plan 2026")
    assert "Saved the targets of 10 indicators" in output and "goalposts/thresholds" in output
    weights = write_file(
        "weights.csv", "indicator_code,weight\n" + "".join(f"{c},10\n" for c in TARGETS)
    )
    command("set_weights", str(weights), "--effective-from", "2026-01")


def test_every_station_meeting_every_target_is_red(company_with_targets, write_file):
    # Each station meets every target: A01 exactly, the others by more (clipped to 100).
    rows = [
        f"{station},2026-09,{code},{_beyond(floor, target, 0.1 * n):g}"
        for n, station in enumerate(STATIONS)
        for code, (floor, target) in TARGETS.items()
    ]
    values = write_file("values.csv", "\n".join([HEADER, *rows]))
    assert "2026-09: done (5 of 5 graded" in command("import_indicators", str(values))
    command("recompute", "--period", "2026-09", "--sync")

    scores = exported("2026-09")
    assert {code: (row["grade"], row["score"]) for code, row in scores.items()} == dict.fromkeys(
        STATIONS, ("red", "100.00")
    )


def test_a_station_at_its_floors_is_yellow_beside_red_ones(company_with_targets, write_file):
    rows = [
        f"{station},2026-10,{code},{floor if station == 'B03' else target}"
        for station in STATIONS
        for code, (floor, target) in TARGETS.items()
    ]
    values = write_file("values.csv", "\n".join([HEADER, *rows]))
    command("import_indicators", str(values))
    command("recompute", "--period", "2026-10", "--sync")

    grades = {code: row["grade"] for code, row in exported("2026-10").items()}
    assert grades == {"A01": "red", "A02": "red", "B01": "red", "B02": "red", "B03": "yellow"}
