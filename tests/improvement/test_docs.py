"""docs/improvement.md says what the code does: its worked example is computed by the
engine and must give the benefits and the proposal its tables show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from improvement.engine import evaluate_pairing, propose_pairing

DOC = Path(__file__).resolve().parents[2] / "docs" / "improvement.md"
TABLE = r"\n((?:\|.*\|\n)+)"


def table(marker: str) -> tuple[dict | None, list[dict[str, str]]]:
    """The table after ``<!-- marker ... -->``: (the comment's JSON, rows by header)."""
    match = re.search(rf"<!-- {marker}(?: (\{{.*?\}}))? -->{TABLE}", DOC.read_text("utf-8"))
    assert match, f"no table marked {marker!r} in {DOC.name}"
    lines = match.group(2).splitlines()
    header = cells(lines[0])
    rows = [dict(zip(header, cells(line), strict=True)) for line in lines[2:]]
    return (json.loads(match.group(1)) if match.group(1) else None), rows


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@pytest.fixture(scope="module")
def example():
    spec, rows = table("pairing example")
    weights = pd.Series(spec["weights"], dtype=float)
    frame = pd.DataFrame(rows).set_index("station")
    numbers = frame.drop(columns="grade").astype(float)
    proposal = propose_pairing(
        numbers[list(weights.index)],
        frame["grade"],
        weights,
        coordinates=numbers[["latitude", "longitude"]],
    )
    return numbers, proposal


def test_the_benefit_table_is_what_the_rule_gives(example):
    numbers, proposal = example
    _, rows = table("benefits")
    rule = proposal.rule
    for row in rows:
        weak = row.pop("weak \\ strong")
        for strong, benefit in row.items():
            values = rule.values(numbers, [weak, strong])
            assert rule.matrix(values[:1], values[1:])[0, 0] == float(benefit), (weak, strong)


def test_the_proposal_table_is_what_the_engine_proposes(example):
    numbers, proposal = example
    _, rows = table("proposal")
    assert len(proposal.pairs) == len(rows)
    for pair, row in zip(proposal.pairs, rows, strict=True):
        assert (pair.weak, pair.strong) == (row["weak"], row["strong"])
        assert pair.benefit == float(row["benefit"])
        assert round(pair.distance_km, 1) == float(row["km"])
        reasons = "; ".join(
            f"{r.indicator}: {r.weak_value:g} / {r.strong_value:g} / {r.median:g}"
            for r in pair.reasons
        )
        assert reasons == row["reasons (indicator: weak / strong / median)"]
    assert proposal.unpaired == ()
    swapped = evaluate_pairing([("梅林", "古林"), ("横溪", "鄞江")], numbers, proposal)
    assert swapped.total_benefit == 6.7125
    assert round(100 * swapped.share) == 69
