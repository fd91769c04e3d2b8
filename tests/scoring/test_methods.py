"""Every method and rule beyond the default, against hand-computed cases (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    LEAGUE_TABLE,
    MISSING_REQUIRED,
    ScoringMethod,
    grade_from_thresholds,
    score_period,
)
from scoring.engine.compute import indicator_thresholds
from scoring.engine.grades import GRADE_ORDER
from scoring.engine.grading import natural_break_thresholds
from scoring.engine.normalise import normalise
from tests.builders import league_table
from tests.scoring.test_engine import HIGHER, WEIGHTS, _values, matrices

NAN = np.nan


def one_column(values, higher=True):
    return pd.DataFrame({"a": values}, dtype=float), pd.Series({"a": higher})


@pytest.mark.parametrize(
    ("method", "values", "higher", "expected"),
    [
        # winsorised min-max: the 25th and 75th percentiles (10 and 30) are the ends
        (league_table(winsor_pct=(25, 75)), [0, 10, 20, 30, 100], True, [0, 0, 50, 100, 100]),
        # goalposts 0–50: absolute, outside clipped
        (
            league_table(normalisation="goalposts", goalposts={"a": (0, 50)}),
            [0, 10, 20, 30, 100],
            True,
            [0, 20, 40, 60, 100],
        ),
        (
            league_table(normalisation="goalposts", goalposts={"a": (0, 50)}),
            [0, 10, 60],
            False,
            [100, 80, 0],
        ),
        # z-score: mean 5, population sd 2; 50 + 50·z/2 with the clip at 2 sd
        (
            league_table(normalisation="zscore", zscore_clip_sd=2),
            [2, 4, 4, 4, 5, 5, 7, 9],
            True,
            [12.5, 37.5, 37.5, 37.5, 50, 50, 75, 100],
        ),
        # the default clip at 3 sd: 50 + 50·z/3
        (
            league_table(normalisation="zscore"),
            [2, 4, 5, 7, 9, 4, 4, 5],
            False,
            [75, 58.3333, 50, 33.3333, 16.6667, 58.3333, 58.3333, 50],
        ),
        # percentile: share of the others beaten, ties half
        (league_table(normalisation="percentile"), [10, 20, 20, 40], True, [0, 50, 50, 100]),
        (league_table(normalisation="percentile"), [10, 20, 20, 40], False, [100, 50, 50, 0]),
        (league_table(normalisation="percentile"), [7, NAN], True, [100, NAN]),
        # every method: a constant column scores 100, missing stays missing
        (league_table(normalisation="zscore"), [3, 3, NAN], True, [100, 100, NAN]),
        (league_table(winsor_pct=(5, 95)), [3, 3, NAN], True, [100, 100, NAN]),
    ],
)
def test_normalisation_methods(method, values, higher, expected):
    frame, direction = one_column(values, higher)
    result, scales = normalise(frame, direction, method)
    np.testing.assert_allclose(result["a"].to_numpy(), expected, atol=1e-4)
    if method.normalisation == "percentile":
        assert scales == {"a": None}


def test_goalposts_default_to_the_valid_range_and_report_their_scale():
    frame, direction = one_column([25, 75])
    method = league_table(normalisation="goalposts")
    result, scales = normalise(frame, direction, method, {"a": (0.0, 100.0)})
    assert result["a"].tolist() == [25.0, 75.0]
    assert scales == {"a": (0.0, 100.0)}
    with pytest.raises(ValueError, match="no goalposts for a"):
        normalise(frame, direction, method)


def test_goalposts_make_a_station_score_independent_of_the_others():
    method = league_table(normalisation="goalposts", goalposts={"a": (0, 100), "b": (0, 10)})
    weights, higher = pd.Series({"a": 50.0, "b": 50.0}), pd.Series({"a": True, "b": False})
    alone = pd.DataFrame({"a": [80.0], "b": [2.0]}, index=["S"])
    crowd = pd.DataFrame({"a": [80.0, 0.0, 100.0], "b": [2.0, 10.0, 0.0]}, index=["S", "T", "U"])
    first = score_period(alone, weights, higher, method).stations.loc["S", "score"]
    second = score_period(crowd, weights, higher, method).stations.loc["S", "score"]
    assert first == second == 80.0  # (80 + 80) / 2


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (95.0, "red"),
        (90.0, "red"),  # exactly on the cut: the better grade
        (89.99, "orange"),
        (80.0, "orange"),
        (70.0, "blue"),
        (60.0, "green"),
        (59.99, "yellow"),
        (0.0, "yellow"),
    ],
)
def test_fixed_thresholds_with_the_boundary_rule(score, grade):
    values = pd.DataFrame({"a": [score]}, index=["S"])
    method = league_table(
        normalisation="goalposts", goalposts={"a": (0, 100)}, grading="thresholds"
    )
    result = score_period(values, pd.Series({"a": 100.0}), pd.Series({"a": True}), method)
    assert result.stations.loc["S", "grade"] == grade
    assert result.summary["score_thresholds"] == [90.0, 80.0, 70.0, 60.0, 0.0]


def test_a_weighted_mean_of_exactly_80_is_not_below_an_80_cut():
    # 0.3·64.6 + 0.7·86.6 = 80.00 on paper; in binary floating point it is 79.99999999999999
    # (plain Python arithmetic, the same on every machine; a BLAS dot product may or may not
    # round the same way, so the case is shown without one).
    assert 0.3 * 64.6 + 0.7 * 86.6 < 80
    values = pd.DataFrame({"a": [64.6], "b": [86.6]}, index=["S"])
    method = league_table(
        normalisation="goalposts",
        goalposts={"a": (0, 100), "b": (0, 100)},
        grading="thresholds",
        thresholds=(90, 80, 70, 60),
    )
    weights, higher = pd.Series({"a": 30.0, "b": 70.0}), pd.Series({"a": True, "b": True})
    result = score_period(values, weights, higher, method)
    assert result.stations.loc["S", "score"] == 80.0
    assert result.stations.loc["S", "grade"] == "orange"


def test_natural_breaks_find_the_five_groups():
    scores = np.array([10, 11, 30, 31, 50, 51, 70, 71, 90, 91], dtype=float)
    assert natural_break_thresholds(np.sort(scores), 2) == [90.0, 70.0, 50.0, 30.0, 10.0]


def test_natural_breaks_are_the_least_sum_of_squares_not_k_means():
    # k-means from quintile seeds (the old method) stopped at {30 30}, {40 50 60} with 40
    # halfway between the centres 30 and 50: a sum of squares of 200 in the top classes.
    # The optimum pairs {30 30 40} and {50 60}: 66.67 + 50 = 116.67.
    ascending = np.array([0, 0, 10, 10, 20, 20, 30, 30, 40, 50, 60], dtype=float)
    assert natural_break_thresholds(ascending, 2) == [50.0, 30.0, 20.0, 10.0, 0.0]


def test_natural_breaks_grade_a_month():
    values = pd.DataFrame({"a": [10, 11, 30, 31, 50, 51, 70, 71, 90, 91]}, dtype=float)
    method = league_table(
        normalisation="goalposts", goalposts={"a": (0, 100)}, grading="natural_breaks"
    )
    result = score_period(values, pd.Series({"a": 100.0}), pd.Series({"a": True}), method)
    expected = [grade for grade in reversed(GRADE_ORDER) for _ in range(2)]
    assert result.stations["grade"].tolist() == expected


def test_peer_groups_are_graded_apart_and_ranked_together():
    values = pd.DataFrame({"a": [90.0, 80.0, 40.0, 30.0]}, index=list("ABCD"))
    groups = pd.Series({"A": "urban", "B": "urban", "C": "rural", "D": "rural"})
    method = league_table(normalisation="goalposts", goalposts={"a": (0, 100)}, peer_groups=True)
    result = score_period(
        values, pd.Series({"a": 100.0}), pd.Series({"a": True}), method, peer_groups=groups
    )
    table = result.stations
    # N = 2 per group: cut-offs 0, 1, 1, 2, 2 → the better of each pair orange, the other green.
    assert table["grade"].tolist() == ["orange", "green", "orange", "green"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.loc["C", "flags"] == {"peer_group": "rural"}
    assert result.summary["score_thresholds"] is None
    assert result.summary["peer_score_thresholds"] == {
        "urban": [None, 90.0, 90.0, 80.0, 80.0],
        "rural": [None, 40.0, 40.0, 30.0, 30.0],
    }


def test_a_cap_limits_the_grade_and_says_why():
    # incidents: lower is better; one or more caps the station at blue.
    values = pd.DataFrame(
        {"score": [100.0, 80.0, 60.0, 40.0, 20.0], "incidents": [1.0, 0.0, NAN, 3.0, 0.0]},
        index=list("ABCDE"),
    )
    method = league_table(
        normalisation="goalposts",
        goalposts={"score": (0, 100), "incidents": (0, 10)},
        caps=[{"indicator": "incidents", "operator": ">=", "value": 1, "grade": "blue"}],
    )
    weights = pd.Series({"score": 100.0, "incidents": 0.0})
    higher = pd.Series({"score": True, "incidents": False})
    table = score_period(values, weights, higher, method).stations
    # Quotas by score: red, orange, blue, green, yellow; A is capped, D is already worse.
    assert table["grade"].tolist() == ["blue", "orange", "blue", "green", "yellow"]
    assert table.loc["A", "flags"] == {
        "cap": {
            "indicator": "incidents",
            "rule": ">= 1",
            "value": 1.0,
            "grade": "blue",
            "uncapped": "red",
        }
    }
    assert table.loc["A", "rank"] == 1  # the rank is the score's
    assert table.loc["C", "flags"] is None  # a missing value never triggers a cap
    assert table.loc["D", "flags"] is None  # green is already within the cap


def test_carry_forward_fills_a_gap_for_at_most_n_months_and_flags_it():
    now = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [NAN, NAN, 30.0]}, index=list("XYZ"))
    month_before = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, NAN, 20.0]}, index=list("XYZ"))
    older = [pd.DataFrame({"b": [NAN, 5.0, NAN]}, index=list("XYZ"))] * 3
    method = league_table(missing={"b": "carry_forward"}, carry_forward_months=2)
    weights, higher = pd.Series({"a": 50.0, "b": 50.0}), pd.Series({"a": True, "b": True})
    result = score_period(now, weights, higher, method, history=[month_before, *older])
    table = result.stations
    # X takes last month's 10; Y's last value is 2 months back (5): within the limit of 2.
    assert table.loc["X", "flags"] == {"carried": {"b": 1}}
    assert table.loc["Y", "flags"] == {"carried": {"b": 2}}
    assert table.loc["Z", "flags"] is None
    # b normalised over 10, 5, 30: X 20, Y 0, Z 100.
    np.testing.assert_allclose(result.normalised["b"].to_numpy(), [20, 0, 100])
    shorter = league_table(missing={"b": "carry_forward"}, carry_forward_months=1)
    again = score_period(now, weights, higher, shorter, history=[month_before, *older])
    assert again.stations.loc["Y", "flags"] is None
    assert again.stations.loc["Y", "ungraded_reason"] == "low_coverage"


def test_disqualify_ungrades_a_station_missing_that_indicator():
    values = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [1.0, NAN, 3.0], "c": [1.0, 2.0, 3.0]}, index=list("XYZ")
    )
    weights = pd.Series({"a": 45.0, "b": 10.0, "c": 45.0})  # Y still has 90 % coverage
    higher = pd.Series(True, index=["a", "b", "c"])
    plain = score_period(values, weights, higher, LEAGUE_TABLE).stations
    assert plain.loc["Y", "grade"] != "ungraded"
    strict = score_period(values, weights, higher, league_table(missing={"b": "disqualify"}))
    assert strict.stations.loc["Y", "grade"] == "ungraded"
    assert strict.stations.loc["Y", "ungraded_reason"] == MISSING_REQUIRED


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"normalisation": "rank"}, "normalisation must be one of"),
        ({"grading": "stars"}, "grading must be one of"),
        ({"thresholds": (90, 80, 80, 60)}, "fall from red to green"),
        ({"thresholds": (90, 80, 70)}, "needs 4 scores"),
        ({"winsor_pct": (5, 95), "normalisation": "zscore"}, "min-max normalisation only"),
        ({"winsor_pct": (95, 5), "normalisation": "minmax"}, "0 ≤ low < high ≤ 100"),
        ({"goalposts": {"a": (5, 5)}}, "low must be below high"),
        ({"missing": {"a": "guess"}}, "missing-data policy of a"),
        ({"caps": [{"indicator": "a", "operator": "=", "value": 1, "grade": "blue"}]}, "operator"),
        ({"caps": [{"indicator": "a", "operator": ">", "value": 1, "grade": "red"}]}, "limits"),
    ],
)
def test_a_bad_method_is_refused_with_a_clear_reason(params, message):
    with pytest.raises(ValueError, match=message):
        ScoringMethod(**params)


def test_every_method_record_round_trips():
    method = league_table(
        normalisation="goalposts",
        goalposts={"b": (0, 5), "a": (1, 2)},
        missing={"a": "carry_forward", "b": "disqualify"},
        carry_forward_months=2,
        grading="thresholds",
        thresholds=(85, 75, 65, 55),
        peer_groups=True,
        caps=[{"indicator": "a", "operator": ">=", "value": 1, "grade": "green"}],
    )
    record = method.as_record()
    assert ScoringMethod.from_record(record) == method
    assert record["goalposts"] == {"a": [1.0, 2.0], "b": [0.0, 5.0]}
    # Records stored before methods could be chosen read as the method of that time,
    # the league table (not as today's absolute default).
    old = {"name": "minmax_quota", "version": 1, "coverage_min_pct": 80.0,
           "quotas_pct": [20, 20, 20, 20, 20], "decimals": 2}  # fmt: skip
    assert ScoringMethod.from_record(old) == LEAGUE_TABLE


# --- properties over every method -----------------------------------------------

METHODS = [
    ScoringMethod(),
    LEAGUE_TABLE,
    league_table(winsor_pct=(10, 90)),
    league_table(normalisation="goalposts", goalposts={"a": (0, 500), "b": (0, 800)}),
    league_table(normalisation="zscore"),
    league_table(normalisation="percentile"),
    league_table(grading="thresholds"),
    league_table(grading="natural_breaks"),
    league_table(normalisation="zscore", grading="natural_breaks"),
]
VALID = {"a": (0.0, 1000.0), "b": (0.0, 1000.0), "c": (0.0, 1000.0)}


def _score(values, method):
    return score_period(values, WEIGHTS, HIGHER, method, valid_ranges=VALID)


@settings(max_examples=40, deadline=None)
@given(matrices, st.sampled_from(METHODS))
def test_every_method_keeps_scores_in_0_to_100_and_grades_monotone(rows, method):
    table = _score(_values(rows), method).stations.dropna(subset=["score"])
    assert ((table["score"] >= 0) & (table["score"] <= 100)).all()
    order = table.sort_values("score", ascending=False)
    positions = [GRADE_ORDER.index(grade) for grade in order["grade"]]
    assert positions == sorted(positions)


@settings(max_examples=40, deadline=None)
@given(matrices, st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_every_method_ignores_the_order_of_stations(rows, method, random):
    values = _values(rows)
    shuffled = list(values.index)
    random.shuffle(shuffled)
    original = _score(values, method).stations
    again = _score(values.loc[shuffled], method).stations
    pd.testing.assert_frame_equal(original, again.loc[original.index])


@settings(max_examples=40, deadline=None)
@given(matrices, st.sampled_from(METHODS))
def test_stored_thresholds_give_back_every_grade(rows, method):
    result = _score(_values(rows), method)
    thresholds = result.summary["score_thresholds"]
    for score, grade in zip(result.stations["score"], result.stations["grade"], strict=True):
        assert grade_from_thresholds(None if np.isnan(score) else score, thresholds) == grade


@settings(max_examples=60, deadline=None)
@given(matrices, st.sampled_from([m for m in METHODS if m.grading == "quotas"]))
def test_indicator_thresholds_from_the_raw_values_equal_those_of_the_stored_values(rows, method):
    # The summary finds linear methods' indicator thresholds from one partial sort of the
    # raw values; partially sorting the stored normalised values must give the same.
    result = _score(_values(rows), method)
    assert result.summary["indicator_thresholds"] == indicator_thresholds(result.normalised, method)
