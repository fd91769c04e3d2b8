"""The worked example of docs/improvement.md ("Secretary projects: progress from the data")."""

from __future__ import annotations

from datetime import date

import pytest

from improvement.engine.progress import OFF_TRACK, ON_TRACK, ProgressMonth, judge_progress

BASELINE = ProgressMonth(date(2026, 7, 1), 30.0, "yellow", 50.0)


@pytest.mark.parametrize(("value", "state"), [(40.0, ON_TRACK), (39.9, OFF_TRACK)])
def test_half_the_time_asks_for_half_the_way(value, state):
    months = [
        ProgressMonth(date(2026, 8, 1), 33.0, "yellow", 50.0),
        ProgressMonth(date(2026, 9, 1), 36.0, "green", 50.0),
        ProgressMonth(date(2026, 10, 1), value, "green", 50.0),
    ]
    progress = judge_progress(BASELINE, months, goal_grade="blue", goal_month=date(2027, 1, 1))
    assert progress.state == state
    assert progress.time_share == 0.5
    assert progress.change == round(value - 30.0, 2)
    assert progress.still_needed == round(50.0 - value, 2)
    assert (progress.start, progress.way) == (BASELINE, 20.0)
    assert progress.way_share == pytest.approx((value - 30.0) / 20.0)


def test_the_example_is_in_the_docs():
    from pathlib import Path

    text = " ".join(
        (Path(__file__).resolve().parents[2] / "docs" / "improvement.md").read_text().split()
    )
    assert "at least 30 + ½ · (50 − 30) = 40 in 2026-10" in text
