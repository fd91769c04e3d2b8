"""Each indicator graded on its own by the same quota rule; company medians of a month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import (
    LEAGUE_TABLE,
    competition_rank,
    grade_from_thresholds,
    grades_for_ranks,
    indicator_thresholds,
    month_summary,
    quota_cutoffs,
    score_period,
)
from scoring.engine.grades import GRADE_ORDER, UNGRADED
from tests.builders import league_table

QUOTAS = (20, 20, 20, 20, 20)


def indicator_grades(normalised: pd.DataFrame, quotas: tuple[int, ...]) -> pd.DataFrame:
    """Every station's grade on every indicator, the way the pages find them: from the
    stored thresholds and each station's own normalised value."""
    thresholds = indicator_thresholds(normalised, league_table(quotas_pct=quotas))
    return pd.DataFrame(
        {
            code: [grade_from_thresholds(value, thresholds[code]) for value in normalised[code]]
            for code in normalised.columns
        },
        index=normalised.index,
    )


def test_indicator_grades_by_quota_ties_and_missing():
    # Five stations with a value: one per grade. Ties share the better grade.
    normalised = pd.DataFrame(
        {
            "a": [100.0, 80.0, 60.0, 40.0, 0.0, np.nan],
            "b": [50.0, 50.0, 10.0, 0.0, 100.0, 70.0],
        },
        index=[1, 2, 3, 4, 5, 6],
    )
    grades = indicator_grades(normalised, QUOTAS)
    assert grades["a"].tolist() == ["red", "orange", "blue", "green", "yellow", UNGRADED]
    # b: N = 6, cut-offs 1, 2, 4, 5, 6 → ranks 1 (100), 2 (70), 3 (50, 50), 5 (10), 6 (0).
    assert quota_cutoffs(6, QUOTAS).tolist() == [1, 2, 4, 5, 6]
    assert grades["b"].tolist() == ["blue", "blue", "green", "yellow", "red", "orange"]


def test_score_period_records_indicator_thresholds_and_medians():
    values = pd.DataFrame(
        {"up": [1.0, 2.0, 3.0, np.nan], "down": [30.0, 20.0, 10.0, 5.0]}, index=[1, 2, 3, 4]
    )
    weights = pd.Series({"up": 50.0, "down": 50.0})
    higher = pd.Series({"up": True, "down": False})
    result = score_period(values, weights, higher, LEAGUE_TABLE)
    thresholds = result.summary["indicator_thresholds"]
    # up: stations 1, 2, 3 normalised 0, 50, 100 (N = 3: cut-offs 1, 1, 2, 2, 3).
    assert thresholds["up"] == [100.0, 100.0, 50.0, 50.0, 0.0]
    assert grade_from_thresholds(None, thresholds["up"]) == UNGRADED
    assert grade_from_thresholds(50.0, thresholds["up"]) == "blue"
    # down: 5 is the best of four values (N = 4: cut-offs 1, 2, 2, 3, 4).
    assert grade_from_thresholds(result.normalised.loc[4, "down"], thresholds["down"]) == "red"
    assert result.summary["indicator_medians"] == {"up": 2.0, "down": 15.0}
    # Station 4 has half the weight (< 80 %): its score is not in the median.
    graded = result.stations["score"].dropna()
    assert result.summary["median_score"] == round(float(graded.median()), 4)


def test_summary_of_an_empty_month_has_no_medians():
    values = pd.DataFrame({"up": [np.nan, np.nan]}, index=[1, 2])
    summary = month_summary(
        values, pd.Series({"up": True}), pd.Series([np.nan, np.nan], index=[1, 2]), LEAGUE_TABLE
    )
    assert summary == {
        "median_score": None,
        "indicator_medians": {"up": None},
        "indicator_ranges": {"up": None},
        "indicator_scales": {"up": None},
        "score_thresholds": [None] * 5,
        "indicator_thresholds": {"up": [None] * 5},
    }


@given(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=60))
def test_indicator_grades_are_monotone_and_missing_is_ungraded(column):
    normalised = pd.DataFrame({"x": [np.nan if v is None else v for v in column]})
    grades = indicator_grades(normalised, QUOTAS)["x"]
    present = normalised["x"].notna()
    assert (grades[~present] == UNGRADED).all()
    positions = grades[present].map(GRADE_ORDER.index)
    # Better value never gets a worse grade.
    order = normalised["x"][present].sort_values(ascending=False).index
    assert positions.loc[order].is_monotonic_increasing


@given(
    st.lists(st.one_of(st.none(), st.sampled_from([0.0, 12.5, 50.0, 87.5, 100.0])), max_size=40),
    st.sampled_from([(20, 20, 20, 20, 20), (10, 20, 40, 20, 10), (0, 50, 0, 50, 0)]),
)
def test_indicator_grades_equal_the_rank_rule_of_the_composite(column, quotas):
    # Few distinct values: many ties, the hard case.
    normalised = pd.DataFrame({"x": [np.nan if v is None else v for v in column]}, dtype=float)
    expected = grades_for_ranks(
        competition_rank(normalised["x"]), quota_cutoffs(int(normalised["x"].count()), quotas)
    )
    assert indicator_grades(normalised, quotas)["x"].tolist() == expected.tolist()


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from([1.0, 2.5, 2.5, 7.0, 10.0])),
            st.one_of(st.none(), st.floats(0, 50, allow_nan=False)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_run_summary_equals_thresholds_and_medians_of_the_stored_values(rows):
    values = pd.DataFrame(
        [[np.nan if v is None else v for v in row] for row in rows],
        columns=["up", "down"],
        dtype=float,
    )
    result = score_period(
        values,
        pd.Series({"up": 50.0, "down": 50.0}),
        pd.Series({"up": True, "down": False}),
        LEAGUE_TABLE,
    )
    assert result.summary["indicator_thresholds"] == indicator_thresholds(
        result.normalised, LEAGUE_TABLE
    )
    for code in ("up", "down"):
        present = values[code].dropna()
        expected = None if present.empty else round(float(present.median()), 4)
        assert result.summary["indicator_medians"][code] == expected


@given(st.lists(st.one_of(st.none(), st.sampled_from([5.0, 10.0, 10.0, 20.0, 40.0])), max_size=30))
def test_score_thresholds_give_back_every_station_grade(column):
    values = pd.DataFrame({"x": [np.nan if v is None else v for v in column]}, dtype=float)
    result = score_period(values, pd.Series({"x": 100.0}), pd.Series({"x": True}), LEAGUE_TABLE)
    thresholds = result.summary["score_thresholds"]
    for score, grade in zip(result.stations["score"], result.stations["grade"], strict=True):
        expected = grade_from_thresholds(None if np.isnan(score) else score, thresholds)
        assert expected == grade
