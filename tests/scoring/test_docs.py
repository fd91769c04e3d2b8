"""docs/scoring.md says what the code does: each method's worked example is scored by the
engine and must give the score and grade its table shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.engine import ScoringMethod, score_period

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
EXAMPLE = re.compile(r"<!-- example (\{.*?\}) -->\n((?:\s*\|.*\|\n)+)")
MONTH_BEFORE = " month before"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _number(text: str) -> float:
    return np.nan if text in {"–", "-", ""} else float(text)


def examples() -> list[tuple[dict, list[dict[str, str]]]]:
    found = []
    for match in EXAMPLE.finditer(DOC.read_text(encoding="utf-8")):
        lines = [line for line in match.group(2).splitlines() if line.strip()]
        header = _cells(lines[0])
        rows = [dict(zip(header, _cells(line), strict=True)) for line in lines[2:]]
        found.append((json.loads(match.group(1)), rows))
    return found


def test_every_method_section_has_a_checked_example():
    methods = [ScoringMethod.from_record(spec["method"]) for spec, _rows in examples()]
    assert {m.normalisation for m in methods} >= {"minmax", "goalposts", "zscore", "percentile"}
    assert {m.grading for m in methods} >= {"quotas", "thresholds", "natural_breaks"}
    assert any(m.winsor_pct for m in methods) and any(m.peer_groups for m in methods)
    assert any(m.caps for m in methods)
    assert {policy for m in methods for _code, policy in m.missing} >= {
        "carry_forward",
        "disqualify",
    }


@pytest.mark.parametrize(
    ("spec", "rows"),
    examples(),
    ids=lambda item: json.dumps(item)[:60] if isinstance(item, dict) else "",
)
def test_the_documented_example_is_what_the_engine_computes(spec, rows):
    codes = list(spec["weights"])
    index = [row["station"] for row in rows]
    values = pd.DataFrame(
        {code: [_number(row[code]) for row in rows] for code in codes}, index=index
    )
    history = [
        pd.DataFrame(
            {code: [_number(row.get(code + MONTH_BEFORE, "–")) for row in rows] for code in codes},
            index=index,
        )
    ]
    groups = pd.Series([row.get("group", "") for row in rows], index=index)
    result = score_period(
        values,
        pd.Series(spec["weights"], dtype=float),
        pd.Series(spec["higher"]),
        ScoringMethod.from_record(spec["method"]),
        history=history,
        peer_groups=groups,
    )
    table = result.stations
    for row in rows:
        station = row["station"]
        score = table.loc[station, "score"]
        shown = "–" if np.isnan(score) else f"{score:.2f}"
        assert (shown, table.loc[station, "grade"]) == (row["score"], row["grade"]), station
