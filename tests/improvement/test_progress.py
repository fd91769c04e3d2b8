"""judge_progress: a secretary project's state from the months of data, computed by hand.

Every case below aims at blue (``goal_threshold`` is where blue starts that month) by the
month in ``goal``; the baseline is June 2026 unless a case says otherwise. The share of
time is counted in months from the start (the baseline, or the first month with a value
when the baseline has none) to the goal month.
"""

from __future__ import annotations

from datetime import date

import pytest

from improvement.engine.progress import (
    MISSED,
    OFF_TRACK,
    ON_TRACK,
    REACHED,
    WAITING,
    ProgressMonth,
    judge_progress,
)


def month(text: str, value: float | None, grade: str = "green", goal: float | None = 40.0):
    year, number = map(int, text.split("-"))
    return ProgressMonth(
        period=date(year, number, 1),
        value=value,
        grade="ungraded" if value is None else grade,
        goal_threshold=goal,
    )


JUNE_30 = month("2026-06", 30.0, "yellow")

# (case, baseline, months, goal month, state, change, still needed, share of time)
CASES = [
    ("no month published yet", JUNE_30, [], "2026-12", WAITING, None, None, None),
    (
        "published months have no value",
        JUNE_30,
        [month("2026-07", None), month("2026-08", None)],
        "2026-12",
        WAITING,
        None,
        None,
        None,
    ),
    (
        # 45 is blue: reached in the first month; 1 of the 6 months gone.
        "reached the goal grade",
        JUNE_30,
        [month("2026-07", 45.0, "blue")],
        "2026-12",
        REACHED,
        15.0,
        0.0,
        0.1667,
    ),
    (
        "better than the goal counts as reached",
        JUNE_30,
        [month("2026-07", 70.0, "orange")],
        "2026-12",
        REACHED,
        40.0,
        0.0,
        0.1667,
    ),
    (
        # The goal month has come, 38 is still green: 2 short of the bar at 40.
        "missed at the goal month",
        JUNE_30,
        [month("2026-07", 35.0), month("2026-08", 36.0), month("2026-09", 38.0)],
        "2026-09",
        MISSED,
        8.0,
        2.0,
        1.0,
    ),
    (
        "missed after the goal month",
        JUNE_30,
        [month("2026-10", 31.0, "yellow")],
        "2026-09",
        MISSED,
        1.0,
        9.0,
        1.0,
    ),
    (
        # 3 of 6 months gone asks for half of the way 30 → 40, i.e. +5; it made +6.
        "on track",
        JUNE_30,
        [month("2026-07", 32.0), month("2026-08", 34.0), month("2026-09", 36.0)],
        "2026-12",
        ON_TRACK,
        6.0,
        4.0,
        0.5,
    ),
    (
        "exactly the share asked for is on track",
        JUNE_30,
        [month("2026-09", 35.0)],
        "2026-12",
        ON_TRACK,
        5.0,
        5.0,
        0.5,
    ),
    (
        "off track",
        JUNE_30,
        [month("2026-07", 31.0), month("2026-08", 33.0), month("2026-09", 34.0)],
        "2026-12",
        OFF_TRACK,
        4.0,
        6.0,
        0.5,
    ),
    (
        "falling back is off track",
        JUNE_30,
        [month("2026-07", 27.0, "yellow")],
        "2026-12",
        OFF_TRACK,
        -3.0,
        13.0,
        0.1667,
    ),
    (
        # No baseline: the start is July (30); 2 of its 5 months to December gone asks
        # for 40 % of 30 → 40, i.e. +4; it made +6.
        "baseline missing: counted from the first month with a value",
        None,
        [month("2026-07", 30.0, "yellow"), month("2026-08", 33.0), month("2026-09", 36.0)],
        "2026-12",
        ON_TRACK,
        6.0,
        4.0,
        0.4,
    ),
    (
        "baseline missing, off track",
        None,
        [month("2026-07", 30.0, "yellow"), month("2026-09", 33.0)],
        "2026-12",
        OFF_TRACK,
        3.0,
        7.0,
        0.4,
    ),
    (
        "baseline month without a value counts as missing",
        month("2026-06", None),
        [month("2026-07", 30.0, "yellow"), month("2026-09", 33.0)],
        "2026-12",
        OFF_TRACK,
        3.0,
        7.0,
        0.4,
    ),
    (
        # +8 is more than half of the old way (30 → 40) but the other stations moved
        # blue up to 50: half of 30 → 50 is +10.
        "goal threshold moving up: the latest bar counts",
        JUNE_30,
        [month("2026-07", 33.0, goal=42.0), month("2026-09", 38.0, goal=50.0)],
        "2026-12",
        OFF_TRACK,
        8.0,
        12.0,
        0.5,
    ),
    (
        # +3 is less than half of 30 → 40, but blue now starts at 34: half of 4 is +2.
        "goal threshold moving down: the latest bar counts",
        JUNE_30,
        [month("2026-09", 33.0, goal=34.0)],
        "2026-12",
        ON_TRACK,
        3.0,
        1.0,
        0.5,
    ),
    (
        # The newest published month has no value: judged on the newest that has one.
        "latest month without a value: the one before counts",
        JUNE_30,
        [month("2026-08", 36.0), month("2026-09", None)],
        "2026-12",
        ON_TRACK,
        6.0,
        4.0,
        0.3333,
    ),
    (
        # Baseline 45 (not blue: blue started at 50 then); blue now starts at 42, below
        # the start, and the value fell to 40: still short of the bar, further than at
        # the start. 1 of the 6 months gone.
        "the bar fell below the start and the value fell further",
        month("2026-06", 45.0, "green", goal=50.0),
        [month("2026-07", 40.0, "green", goal=42.0)],
        "2026-12",
        OFF_TRACK,
        -5.0,
        2.0,
        0.1667,
    ),
    (
        "no goal threshold known: on track unless reached or missed",
        JUNE_30,
        [month("2026-07", 30.0, "yellow", goal=None)],
        "2026-12",
        ON_TRACK,
        0.0,
        None,
        0.1667,
    ),
]


@pytest.mark.parametrize(
    ("baseline", "months", "goal", "state", "change", "still", "time_share"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_judge_progress(baseline, months, goal, state, change, still, time_share):
    year, number = map(int, goal.split("-"))
    progress = judge_progress(baseline, months, goal_grade="blue", goal_month=date(year, number, 1))
    assert progress.state == state
    assert progress.change == change
    assert progress.still_needed == still
    assert progress.time_share == time_share
    assert progress.baseline == baseline
    assert progress.months == tuple(months)


def test_the_latest_month_is_the_newest_with_a_value():
    months = [month("2026-07", 31.0), month("2026-08", 36.0), month("2026-09", None)]
    progress = judge_progress(JUNE_30, months, goal_grade="blue", goal_month=date(2026, 12, 1))
    assert progress.latest == months[1]


def test_a_goal_month_at_the_start_counts_all_the_time_as_gone():
    # Start (June) is the goal month itself: nothing left, and not reached → missed.
    progress = judge_progress(
        None, [month("2026-06", 35.0)], goal_grade="blue", goal_month=date(2026, 6, 1)
    )
    assert (progress.state, progress.time_share, progress.change) == (MISSED, 1.0, 0.0)
