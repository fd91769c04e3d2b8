"""One month under two methods or weight versions, side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from scoring.engine import LEAGUE_TABLE, score_period
from scoring.engine.compare import compare_months, transition_counts
from tests.builders import league_table
from tests.mapviews.months import OCTOBER, score_month


def test_the_stations_that_change_colour_come_first_with_the_counts():
    values = pd.DataFrame({"a": [0.0, 10.0, 20.0, 30.0, 100.0]}, index=list("ABCDE"))
    weights, higher = pd.Series({"a": 100.0}), pd.Series({"a": True})
    plain = score_period(values, weights, higher, LEAGUE_TABLE)
    winsorised = score_period(values, weights, higher, league_table(winsor_pct=(25, 75)))
    table = compare_months(plain, winsorised)
    # min-max: 0, 10, 20, 30, 100 → yellow, green, blue, orange, red.
    # winsorised 25–75: 0, 0, 50, 100, 100 → green, green, blue, red, red.
    assert table.index[:2].tolist() == ["D", "A"]  # D +70 points, A 0 points
    assert table["colour_changes"].tolist() == [True, True, False, False, False]
    assert table.loc["D", ["grade_before", "grade_after"]].tolist() == ["orange", "red"]
    counts = transition_counts(table)
    assert counts.loc["yellow", "green"] == 1 and counts.loc["orange", "red"] == 1
    assert counts.to_numpy().sum() == 5
    assert np.diag(counts.loc[["red", "green", "blue"], ["red", "green", "blue"]]).tolist() == [
        1,
        1,
        1,
    ]


@pytest.mark.django_db
def test_compare_scoring_lists_the_changes_and_saves_nothing(three_stations, write_file, capsys):
    score_month(three_stations, OCTOBER, [30, 20, 10])
    path = write_file("thresholds.json", '{"normalisation": "minmax", "grading": "thresholds"}')
    with translation.override("en"):
        call_command("compare_scoring", "--period=2026-10", f"--method-b={path}")
    out = capsys.readouterr().out
    # Scores 60, 50, 40. Quotas of 3: red, blue, yellow; thresholds 90/80/70/60: green,
    # yellow, yellow.
    assert "2 of 3 stations change colour." in out
    assert "60.00 → 60.00, Red · Excellent → Green · Weak" in out
    assert "50.00 → 50.00, Blue · Average → Yellow · Lagging" in out
    assert "Yellow · Lagging: 1 → 2" in out
    with translation.override("en"):
        with pytest.raises(CommandError, match="no method version 7"):
            call_command("compare_scoring", "--period=2026-10", "--method-b=7")
        with pytest.raises(CommandError, match="no indicator data"):
            call_command("compare_scoring", "--period=2026-01")
