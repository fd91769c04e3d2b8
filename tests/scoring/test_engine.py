"""The default method against hand-computed cases, one rule at a time (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    LEAGUE_TABLE,
    LOW_COVERAGE,
    NO_DATA,
    ScoringMethod,
    competition_rank,
    grades_for_ranks,
    normalise_min_max,
    quota_cutoffs,
    score_period,
    weighted_score,
)
from scoring.engine.grades import GRADE_ORDER
from tests.builders import league_table

NAN = np.nan


def frame(rows: dict[str, list[float]], index=("S1", "S2", "S3")) -> pd.DataFrame:
    return pd.DataFrame(rows, index=list(index), dtype=float)


@pytest.mark.parametrize(
    ("values", "higher", "expected"),
    [
        # higher is better: 100·(v−min)/(max−min)
        ([10, 20, 30], True, [0, 50, 100]),
        # lower is better: 100·(max−v)/(max−min)
        ([1, 3, 5], False, [100, 50, 0]),
        # uneven spacing
        ([0, 1, 4], True, [0, 25, 100]),
        # constant indicator: every station that has it gets 100
        ([7, 7, 7], True, [100, 100, 100]),
        ([7, 7, 7], False, [100, 100, 100]),
        # missing values are left out of min and max and stay missing
        ([10, NAN, 30], True, [0, NAN, 100]),
        # a single present value is a constant column
        ([NAN, 5, NAN], False, [NAN, 100, NAN]),
    ],
)
def test_normalise_min_max(values, higher, expected):
    result = normalise_min_max(frame({"a": values}), pd.Series({"a": higher}))
    np.testing.assert_allclose(result["a"].to_numpy(), expected)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, [0, 0, 0, 0, 0]),
        (1, [0, 0, 1, 1, 1]),  # a lone station is blue 中等
        (3, [1, 1, 2, 2, 3]),
        (5, [1, 2, 3, 4, 5]),
        (7, [1, 3, 4, 6, 7]),  # floor(1.4+.5), floor(2.8+.5), floor(4.2+.5), floor(5.6+.5)
        (10, [2, 4, 6, 8, 10]),
        (12, [2, 5, 7, 10, 12]),  # 2.4→2, 4.8→5, 7.2→7, 9.6→10
        (60, [12, 24, 36, 48, 60]),
    ],
)
def test_quota_cutoffs_default_quintiles(count, expected):
    assert quota_cutoffs(count, (20, 20, 20, 20, 20)).tolist() == expected


def test_quota_cutoffs_uneven_quotas():
    # 10 % red, 20 % orange, 40 % blue, 20 % green, 10 % yellow of 10 stations
    assert quota_cutoffs(10, (10, 20, 40, 20, 10)).tolist() == [1, 3, 7, 9, 10]


def test_competition_rank_ties_and_missing():
    ranks = competition_rank(pd.Series([90.0, 80.0, 80.0, 70.0, NAN]))
    assert ranks.tolist() == [1, 2, 2, 4, pd.NA]


def test_grade_is_first_cutoff_at_least_rank():
    ranks = pd.Series([1, 2, 3, 4, 5], dtype="Int64")
    grades = grades_for_ranks(ranks, np.array([1, 2, 3, 4, 5]))
    assert grades.tolist() == list(GRADE_ORDER)


def test_tied_stations_share_the_better_grade():
    # 5 stations, cut-offs 1,2,3,4,5. Ranks 1,2,2,4,5: both rank-2 stations are orange.
    values = pd.DataFrame({"a": [90.0, 80.0, 80.0, 70.0, 60.0]}, index=list("ABCDE"))
    result = score_period(values, pd.Series({"a": 100.0}), pd.Series({"a": True}), LEAGUE_TABLE)
    assert result.stations["rank"].tolist() == [1, 2, 2, 4, 5]
    assert result.stations["grade"].tolist() == ["red", "orange", "orange", "green", "yellow"]


def test_score_period_hand_computed():
    # a (higher, weight 60): 10, 20, 30 → 0, 50, 100
    # b (lower, weight 40):  1, 3, 5    → 100, 50, 0
    # scores: S1 = 0·.6 + 100·.4 = 40; S2 = 50; S3 = 60
    values = frame({"a": [10, 20, 30], "b": [1, 3, 5]})
    result = score_period(
        values, pd.Series({"a": 60.0, "b": 40.0}), pd.Series({"a": True, "b": False}), LEAGUE_TABLE
    )
    table = result.stations
    assert table["score"].tolist() == [40.0, 50.0, 60.0]
    assert table["rank"].tolist() == [3, 2, 1]
    # N = 3: cut-offs 1, 1, 2, 2, 3 → rank 1 red, rank 2 blue, rank 3 yellow
    assert table["grade"].tolist() == ["yellow", "blue", "red"]
    assert table["coverage"].tolist() == [1.0, 1.0, 1.0]
    assert table["ungraded_reason"].tolist() == [None, None, None]


def test_missing_value_reweights_over_present_indicators():
    # S2 lacks b (weight 10 of 100 → coverage 90 %): its score is the mean over a and c.
    values = frame(
        {"a": [0, 100, 50], "b": [0, NAN, 10], "c": [0, 50, 100]},
    )
    weights = pd.Series({"a": 45.0, "b": 10.0, "c": 45.0})
    result = score_period(
        values, weights, pd.Series({"a": True, "b": True, "c": True}), LEAGUE_TABLE
    )
    table = result.stations
    # normalised: a 0,100,50; b 0,–,100; c 0,50,100
    # S2 = (45·100 + 45·50)/90 = 75; S3 = (45·50 + 10·100 + 45·100)/100 = 77.5
    assert table.loc["S2", "score"] == 75.0
    assert table.loc["S3", "score"] == 77.5
    assert table.loc["S2", "coverage"] == pytest.approx(0.9)
    assert table.loc["S2", "grade"] != "ungraded"


def test_coverage_below_minimum_is_ungraded_with_reason():
    # S2 has a only (weight 70 of 100 = 70 % < 80 %); S3 has nothing.
    values = frame({"a": [1, 2, NAN], "b": [1, NAN, NAN]})
    weights = pd.Series({"a": 70.0, "b": 30.0})
    result = score_period(values, weights, pd.Series({"a": True, "b": True}), LEAGUE_TABLE)
    table = result.stations
    assert table.loc["S2", "grade"] == "ungraded"
    assert np.isnan(table.loc["S2", "score"])
    assert pd.isna(table.loc["S2", "rank"])
    assert table.loc["S2", "ungraded_reason"] == LOW_COVERAGE
    assert table.loc["S2", "coverage"] == pytest.approx(0.7)
    assert table.loc["S3", "ungraded_reason"] == NO_DATA
    # the one graded station is ranked alone: N = 1 → blue
    assert table.loc["S1", "rank"] == 1
    assert table.loc["S1", "grade"] == "blue"


def test_coverage_exactly_at_minimum_is_graded():
    # 8 of 10 equal weights present: exactly 80 %, which must not read as 79.999…
    codes = [f"i{n}" for n in range(10)]
    row_full = dict.fromkeys(codes, 1.0)
    row_80 = {**row_full, "i8": NAN, "i9": NAN}
    values = pd.DataFrame([row_full, row_80], index=["A", "B"])
    weights = pd.Series(0.1, index=codes) * 100
    result = score_period(values, weights, pd.Series(True, index=codes), LEAGUE_TABLE)
    assert result.stations.loc["B", "grade"] != "ungraded"


def test_weighted_score_rounds_half_up_at_two_decimals():
    # (80.00 + 80.01) / 2 = 80.005 on paper; binary floats make it 80.00499…,
    # which a plain round() turns into 80.0.
    normalised = pd.DataFrame({"a": [80.00], "b": [80.01]})
    assert round((80.00 + 80.01) / 2, 2) == 80.0  # the trap
    score = weighted_score(normalised, pd.Series({"a": 1.0, "b": 1.0}), decimals=2)
    assert score.iloc[0] == 80.01


@given(
    st.lists(
        st.tuples(*[st.integers(0, 10_000).map(lambda v: v / 100)] * 3), min_size=1, max_size=30
    ),
    st.sampled_from([1.0, 2.0, 7.0, 0.01, 9999.99]),
)
@settings(max_examples=80, deadline=None)
def test_equal_weights_of_any_size_give_exact_thirds(rows, each):
    """Weights are shares of their total: 1, 1, 1 (or 7, 7, 7) weigh a third each, so a
    station's score is the plain mean of its three values, rounded half up; 33.33,
    33.33, 33.34 would not be."""
    normalised = pd.DataFrame(rows, columns=["a", "b", "c"])
    score = weighted_score(normalised, pd.Series({"a": each, "b": each, "c": each}), decimals=2)
    # The mean in exact integer hundredths: 3 · mean = a + b + c, rounded half up.
    for (a, b, c), found in zip(rows, score, strict=True):
        total = round(a * 100) + round(b * 100) + round(c * 100)
        assert found == (2 * total + 3) // 6 / 100


def test_an_indicator_at_weight_0_is_left_out():
    values = frame({"a": [1, 2, 3], "b": [3, 2, 1], "c": [9, 1, 5]})
    higher = pd.Series({"a": True, "b": True, "c": True})
    with_zero = score_period(
        values, pd.Series({"a": 1.0, "b": 1.0, "c": 0.0}), higher, LEAGUE_TABLE
    )
    without = score_period(values, pd.Series({"a": 1.0, "b": 1.0}), higher, LEAGUE_TABLE)
    assert with_zero.stations["score"].tolist() == without.stations["score"].tolist()


def test_weights_only_count_listed_indicators():
    values = frame({"a": [1, 2, 3], "z": [9, 1, 5]})
    result = score_period(
        values, pd.Series({"a": 100.0}), pd.Series({"a": True, "z": True}), LEAGUE_TABLE
    )
    assert result.stations["score"].tolist() == [0.0, 50.0, 100.0]
    assert list(result.normalised.columns) == ["a"]


def test_method_rejects_bad_quotas():
    with pytest.raises(ValueError, match="sum to 100"):
        league_table(quotas_pct=(20, 20, 20, 20, 10))
    with pytest.raises(ValueError, match="one per grade"):
        league_table(quotas_pct=(50, 50))


def test_method_record_round_trip():
    method = league_table(quotas_pct=(10, 20, 40, 20, 10), coverage_min_pct=75)
    assert ScoringMethod.from_record(method.as_record()) == method


# --- properties -----------------------------------------------------------------

matrices = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.lists(
        st.lists(
            st.one_of(st.none(), st.floats(min_value=0, max_value=1000, allow_nan=False)),
            min_size=3,
            max_size=3,
        ),
        min_size=n,
        max_size=n,
    )
)
WEIGHTS = pd.Series({"a": 50.0, "b": 30.0, "c": 20.0})
HIGHER = pd.Series({"a": True, "b": False, "c": True})


def _values(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [[np.nan if v is None else v for v in row] for row in rows],
        columns=["a", "b", "c"],
        index=[f"S{n}" for n in range(len(rows))],
    )


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_scores_stay_within_0_and_100(rows):
    scores = score_period(_values(rows), WEIGHTS, HIGHER, LEAGUE_TABLE).stations["score"].dropna()
    assert ((scores >= 0) & (scores <= 100)).all()


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_grades_are_monotone_in_score(rows):
    table = score_period(_values(rows), WEIGHTS, HIGHER, LEAGUE_TABLE).stations.dropna(
        subset=["score"]
    )
    order = table.sort_values("score", ascending=False)
    positions = [GRADE_ORDER.index(grade) for grade in order["grade"]]
    assert positions == sorted(positions)


@settings(max_examples=100, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_permuting_stations_changes_nothing(rows, random):
    values = _values(rows)
    shuffled_index = list(values.index)
    random.shuffle(shuffled_index)
    original = score_period(values, WEIGHTS, HIGHER, LEAGUE_TABLE).stations
    shuffled = score_period(values.loc[shuffled_index], WEIGHTS, HIGHER, LEAGUE_TABLE).stations
    pd.testing.assert_frame_equal(original, shuffled.loc[original.index])


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=5000))
def test_quota_counts_follow_the_rule(count):
    cutoffs = quota_cutoffs(count, (20, 20, 20, 20, 20))
    assert cutoffs[-1] == count
    assert all(np.diff(cutoffs) >= 0)
    for k, cutoff in enumerate(cutoffs, start=1):
        assert cutoff == int(np.floor(count * 0.2 * k + 0.5 + 1e-9))


@settings(max_examples=100, deadline=None)
@given(matrices, st.integers(min_value=0, max_value=39), st.floats(min_value=0, max_value=500))
def test_improving_one_indicator_never_lowers_the_score(rows, who, gain):
    values = _values(rows)
    station = values.index[who % len(values)]
    if pd.isna(values.loc[station, "a"]):
        return
    before = score_period(values, WEIGHTS, HIGHER, LEAGUE_TABLE).stations.loc[station, "score"]
    better = values.copy()
    better.loc[station, "a"] = min(better.loc[station, "a"] + gain, 1000)  # a: higher is better
    after = score_period(better, WEIGHTS, HIGHER, LEAGUE_TABLE).stations.loc[station, "score"]
    if not np.isnan(before):
        assert after >= before


def test_method_from_a_stored_record_ignores_keys_beside_the_parameters():
    record = {**ScoringMethod().as_record(), "directions": {"safety": "higher"}}
    assert ScoringMethod.from_record(record) == ScoringMethod()


def test_ungraded_reason_reads_the_run_minimum_and_never_rounds_up():
    from django.utils import translation

    from scoring.grades import ungraded_reason_text

    with translation.override("en"):
        text = ungraded_reason_text(LOW_COVERAGE, 0.796, 80.0)
        assert text == "data for only 79% of the weight (80% needed)"
        assert ungraded_reason_text(LOW_COVERAGE, 0.5, 75.5).endswith("(75.5% needed)")
        assert ungraded_reason_text(NO_DATA) == "no data for this month"
