"""What has arrived, without a database (improvement.engine.submissions): due dates,
lateness, the robust z-score and the edge of the range, with hand-computed values."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from improvement.engine.submissions import (
    JUMP_Z,
    at_edge,
    changed_from_flat,
    due_date,
    find_jumps,
    is_late,
    robust_z,
)


@pytest.mark.parametrize(
    ("period", "day", "due"),
    [
        (date(2026, 11, 1), 10, date(2026, 12, 10)),
        (date(2026, 12, 1), 5, date(2027, 1, 5)),
        (date(2026, 1, 1), 28, date(2026, 2, 28)),
    ],
)
def test_a_month_is_due_on_the_day_of_the_next_month(period, day, due):
    assert due_date(period, day) == due


def test_missing_values_are_late_only_after_the_due_day():
    november = date(2026, 11, 1)
    assert not is_late(november, 10, date(2026, 12, 10))
    assert is_late(november, 10, date(2026, 12, 11))


# History 10, 11, 12, 10, 11, 12: median 11, deviations 1, 0, 1, 1, 0, 1 → MAD 1;
# scale 1.4826, so 20 is (20 − 11) / 1.4826 = 6.07 and 12 is 0.67.
HISTORY = np.array([10, 11, 12, 10, 11, 12], dtype=float)


@pytest.mark.parametrize(
    ("value", "z"),
    [(20.0, 9 / 1.4826), (12.0, 1 / 1.4826), (11.0, 0.0), (2.0, -9 / 1.4826)],
)
def test_the_robust_z_score_against_the_history(value, z):
    assert robust_z(HISTORY, value) == pytest.approx(z)


def test_too_little_history_says_nothing_and_a_flat_history_has_no_z_score():
    assert robust_z(HISTORY[:5], 99.0) is None
    assert robust_z(np.array([np.nan, *HISTORY[:5]]), 99.0) is None  # gaps do not count
    flat = np.full(6, 50.0)
    assert robust_z(flat, 50.0) == 0.0
    assert robust_z(flat, 51.0) is None and robust_z(flat, 49.0) is None  # never ±inf
    assert changed_from_flat(flat, 51.0) and not changed_from_flat(flat, 50.0)
    assert not changed_from_flat(HISTORY, 99.0) and not changed_from_flat(flat[:5], 51.0)


def test_find_jumps_flags_a_change_from_a_flat_history_first_without_a_z_score():
    history = pd.DataFrame(
        [(1, 1, month, value) for month, value in enumerate(HISTORY)]
        + [(2, 1, month, 50.0) for month in range(12)]
        + [(3, 1, month, 50.0) for month in range(12)],
        columns=["station_id", "indicator_id", "period", "value"],
    )
    month = pd.DataFrame(
        [(1, 1, 20.0), (2, 1, 49.0), (3, 1, 50.0)], columns=["station_id", "indicator_id", "value"]
    )
    jumps = find_jumps(month, history)
    assert jumps["station_id"].tolist() == [2, 1]  # S3 did not change
    assert math.isnan(jumps["z"].iloc[0]) and not np.isinf(jumps["z"]).any()
    assert jumps["median"].tolist() == [50.0, 11.0]


def test_one_wild_month_in_the_history_does_not_hide_the_next_jump():
    # A mean and standard deviation would be dragged by the 500; the median and MAD not.
    history = np.array([10, 11, 12, 10, 11, 500], dtype=float)
    assert robust_z(history, 20.0) >= JUMP_Z


@pytest.mark.parametrize(
    ("value", "edge"), [(0.0, True), (0.5, False), (50.0, False), (99.9, False), (100.0, True)]
)
def test_the_edge_is_the_lowest_or_highest_valid_value(value, edge):
    assert at_edge(value, 0.0, 100.0) is edge


def test_a_margin_widens_the_edge():
    assert at_edge(1.0, 0.0, 100.0, share=0.01) and not at_edge(1.5, 0.0, 100.0, share=0.01)


def test_find_jumps_keeps_the_months_far_from_their_own_history():
    history = pd.DataFrame(
        [(station, 1, month, value) for station in (1, 2) for month, value in enumerate(HISTORY)]
        + [(3, 1, month, 11.0) for month in range(3)],  # too short
        columns=["station_id", "indicator_id", "period", "value"],
    )
    month = pd.DataFrame(
        [(1, 1, 20.0), (2, 1, 12.0), (3, 1, 99.0), (4, 1, 99.0)],
        columns=["station_id", "indicator_id", "value"],
    )
    jumps = find_jumps(month, history)
    assert jumps["station_id"].tolist() == [1]
    assert jumps["median"].tolist() == [11.0]
    assert jumps["z"].iloc[0] == pytest.approx(9 / 1.4826)


def test_find_jumps_of_nothing_is_empty():
    empty = pd.DataFrame(columns=["station_id", "indicator_id", "period", "value"])
    assert find_jumps(empty.drop(columns="period"), empty).empty
