"""A grade never moves against the score without a reason (scoring.engine.gradechange)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import ScoringMethod, score_period
from scoring.engine.gradechange import (
    CAP,
    NEW_RULES,
    OTHERS_IMPROVED_LESS,
    OTHERS_IMPROVED_MORE,
    PEER_GROUP,
    THRESHOLDS_MOVED,
    GradedMonth,
    contradiction,
)
from scoring.engine.grades import grade_position

ABSOLUTE = ScoringMethod(normalisation="goalposts", grading="thresholds")
LEAGUE = ScoringMethod(normalisation="minmax", grading="quotas")


def month(grade, score, grading="quotas", **kwargs):
    return GradedMonth(grade=grade, score=score, grading=grading, **kwargs)


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        (month("orange", 69.79), month("blue", 71.23), OTHERS_IMPROVED_MORE),
        (month("orange", 81.00), month("red", 78.89), OTHERS_IMPROVED_LESS),
        (month("blue", 70.0), month("green", 70.0), OTHERS_IMPROVED_MORE),
        (month("red", 90, capped=True), month("orange", 91), CAP),
        (month("blue", 75), month("green", 76, capped=True), CAP),
        (month("blue", 75, versions=(1,)), month("green", 76, versions=(2,)), NEW_RULES),
        (month("blue", 75, peer_group="a"), month("green", 76, peer_group="b"), PEER_GROUP),
        (
            month("blue", 75, "natural_breaks", thresholds=(90, 80, 70, 60)),
            month("green", 76, "natural_breaks", thresholds=(90, 85, 80, 77)),
            THRESHOLDS_MOVED,
        ),
    ],
)
def test_a_grade_against_the_score_has_its_reason(before, after, reason):
    found = contradiction(before, after)
    assert found is not None and found.reason == reason


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (month("orange", 80), month("blue", 75)),  # both fell
        (month("blue", 75), month("orange", 80)),  # both rose
        (month("blue", 75), month("blue", 60)),  # the grade stayed
        (month("ungraded", None), month("blue", 60)),
        (month("blue", 75), month("ungraded", None)),
    ],
)
def test_no_contradiction_when_grade_and_score_agree(before, after):
    assert contradiction(before, after) is None


CODES = ["a", "b", "c"]
GOALPOSTS = {"a": (0.0, 100.0), "b": (0.0, 50.0), "c": (10.0, 90.0)}
HIGHER = pd.Series({"a": True, "b": False, "c": True})


@st.composite
def companies(draw):
    """A company of random size over random months: raw values (some missing), weights."""
    stations = draw(st.integers(2, 30))
    months = draw(st.integers(2, 6))
    weights = pd.Series(
        {code: draw(st.floats(0.5, 10, allow_nan=False)) for code in CODES}, dtype=float
    )
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frames = []
    for _month in range(months):
        values = rng.uniform(-20, 120, size=(stations, len(CODES)))
        values[rng.random(values.shape) < 0.05] = np.nan
        frames.append(pd.DataFrame(values, index=range(stations), columns=CODES))
    return weights, frames


@settings(max_examples=60, deadline=None)
@given(companies())
def test_under_absolute_grading_a_higher_score_never_has_a_worse_grade(company):
    weights, frames = company
    method = ScoringMethod(normalisation="goalposts", grading="thresholds", goalposts=GOALPOSTS)
    assert method.normalisation == ABSOLUTE.normalisation and method.grading == ABSOLUTE.grading
    months = [score_period(values, weights, HIGHER, method).stations for values in frames]
    rows = [
        (row.score, row.grade)
        for table in months
        for row in table.itertuples()
        if grade_position(row.grade) is not None
    ]
    # Across every pair of (station, month): a higher score is at least as good a grade.
    grades_at: dict[float, set[str]] = {}
    for score, grade in rows:
        grades_at.setdefault(score, set()).add(grade)
    assert all(len(grades) == 1 for grades in grades_at.values())  # equal score, equal grade
    rows.sort(key=lambda row: row[0])
    positions = [grade_position(grade) for _score, grade in rows]
    assert positions == sorted(positions, reverse=True)
    # And the explanation never finds anything to explain.
    for before, after in pairwise(months):
        for station in before.index:
            pair = [
                GradedMonth(
                    grade=table.at[station, "grade"],
                    score=None
                    if np.isnan(table.at[station, "score"])
                    else table.at[station, "score"],
                    grading=method.grading,
                    versions=(1, 1, method),
                    thresholds=method.thresholds,
                )
                for table in (before, after)
            ]
            assert contradiction(*pair) is None


def test_under_a_league_table_the_score_can_rise_while_the_grade_falls():
    weights = pd.Series({"a": 1.0})
    higher = pd.Series({"a": True})
    september = pd.DataFrame({"a": [0, 20, 40, 60, 100]}, index=list("PQRST"))
    october = pd.DataFrame({"a": [0, 60, 50, 70, 100]}, index=list("PQRST"))
    before, after = (
        score_period(values, weights, higher, LEAGUE).stations for values in (september, october)
    )
    assert (before.at["R", "score"], before.at["R", "grade"]) == (40.0, "blue")
    assert (after.at["R", "score"], after.at["R", "grade"]) == (50.0, "green")
    found = contradiction(
        *(
            GradedMonth(grade=t.at["R", "grade"], score=t.at["R", "score"], grading="quotas")
            for t in (before, after)
        )
    )
    assert found is not None and found.reason == OTHERS_IMPROVED_MORE and found.steps == -1
