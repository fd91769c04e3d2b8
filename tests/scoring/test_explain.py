"""Explanations, hand-computed on the worked example of docs/scoring.md (2026-09).

Weights: safety 50, line_loss 30 (lower is better), customer_satisfaction 20.
Ranges: safety 70–95, line_loss 3–6, customer_satisfaction 92–98.
Scores: A01 100, A02 50, B01 50, B02 37.5 (N = 4, cut-offs 1, 2, 2, 3, 4), so the
grades start at 100 (red), 50 (orange), 50 (blue), 50 (green), 37.5 (yellow).
"""

from __future__ import annotations

import pytest

from scoring.engine.explain import contributions, indicators_together, next_grade_paths

WEIGHTS = {"safety": 50.0, "line_loss": 30.0, "customer_satisfaction": 20.0, "financial": 0.0}
RANGES = {"safety": [70.0, 95.0], "line_loss": [3.0, 6.0], "customer_satisfaction": [92.0, 98.0]}
HIGHER = {"safety": True, "line_loss": False, "customer_satisfaction": True}
THRESHOLDS = [100.0, 50.0, 50.0, 50.0, 37.5]
A02 = {"safety": 80.0, "line_loss": 100 / 3, "customer_satisfaction": 0.0}
B02 = {"safety": 60.0, "line_loss": 0.0}


def test_contributions_add_up_to_the_score():
    points = contributions(A02, WEIGHTS)
    assert points == pytest.approx(
        {"safety": 40.0, "line_loss": 10.0, "customer_satisfaction": 0.0}
    )
    assert sum(points.values()) == pytest.approx(50.0)
    # B02 lacks customer_satisfaction: the other weights share the whole score.
    assert contributions(B02, WEIGHTS) == pytest.approx({"safety": 37.5, "line_loss": 0.0})


def test_the_way_up_from_yellow_most_effective_first():
    result = next_grade_paths(37.5, "yellow", B02, WEIGHTS, THRESHOLDS, RANGES, HIGHER)
    # Green, blue and orange all start at 50: reaching 50 gives orange (a tie at rank 2).
    assert (result.grade, result.target_score, result.gap) == ("orange", 50.0, 12.5)
    safety, line_loss = result.paths
    # 12.5 points of score over 80 % of the weight: safety +20 (raw 85 → 90).
    assert (safety.code, safety.possible) == ("safety", True)
    assert safety.normalised_gain == pytest.approx(20.0)
    assert safety.raw_change == pytest.approx(5.0)
    # line_loss would need +33.33 (6 → 5), but B02 holds the worst value: improving it
    # moves the scale for everyone, so it is not offered as a path alone.
    assert (line_loss.code, line_loss.possible) == ("line_loss", False)
    assert line_loss.raw_change == pytest.approx(-1.0)


def test_a_gain_beyond_the_best_station_is_not_possible_alone():
    result = next_grade_paths(50.0, "orange", A02, WEIGHTS, THRESHOLDS, RANGES, HIGHER)
    assert (result.grade, result.gap) == ("red", 50.0)
    possible = {path.code: path.possible for path in result.paths}
    # Safety would need +50 (80 → 130 > 100); customer_satisfaction +250.
    assert possible == {"safety": False, "line_loss": False, "customer_satisfaction": False}


@pytest.mark.parametrize(("score", "grade"), [(100.0, "red"), (None, "ungraded")])
def test_nothing_to_explain_for_red_or_ungraded(score, grade):
    assert next_grade_paths(score, grade, A02, WEIGHTS, THRESHOLDS, RANGES, HIGHER) is None


def test_a_change_of_score_splits_into_own_data_others_and_weights():
    from scoring.engine.explain import change_breakdown

    higher = {"a": True, "b": True}
    # Last month: a 0–10, b 0–10; the station had a 5, b 5 → 50 with equal weights.
    # This month: its a rose to 8; the best b of the company fell from 10 to 8 (b: 0–8);
    # weights changed from 50/50 to 75/25.
    result = change_breakdown(
        score_before=50.0,
        score_now=0.75 * 80 + 0.25 * 62.5,  # a 80, b 5/8 = 62.5
        raw_now={"a": 8.0, "b": 5.0},
        scales_before={"a": [0.0, 10.0], "b": [0.0, 10.0]},
        scales_now={"a": [0.0, 10.0], "b": [0.0, 8.0]},
        weights_before={"a": 50.0, "b": 50.0},
        higher_is_better=higher,
    )
    assert result.own_data == pytest.approx(15.0)  # a 50 → 80 on the old scale: +30 × ½
    assert result.other_stations == pytest.approx(6.25)  # b 50 → 62.5: +12.5 × ½
    assert result.weights_and_method == pytest.approx(75.625 - 71.25)
    assert result.total == pytest.approx(25.625)


def test_a_change_split_needs_last_months_weights():
    from scoring.engine.explain import change_breakdown

    result = change_breakdown(
        50.0, 60.0, {"a": 8.0}, {"a": [0.0, 10.0]}, {"a": [0.0, 10.0]}, {}, {"a": True}
    )
    assert result is None


#: Room (weight share × (100 − value)): a 0.5 × 100 = 50, b 1/3 × 60 = 20, c 1/6 × 30 = 5.
ROOMY = ({"a": 0, "b": 40, "c": 70}, {"a": 0.5, "b": 1 / 3, "c": 1 / 6})


@pytest.mark.parametrize(
    ("gap", "normalised", "weights", "expected"),
    [
        (45.0, *ROOMY, [("a", 50.0)]),
        (60.0, *ROOMY, [("a", 50.0), ("b", 20.0)]),
        (74.0, *ROOMY, [("a", 50.0), ("b", 20.0), ("c", 5.0)]),
        (80.0, *ROOMY, None),  # 75 points of room in all: out of reach
        # weights share out among the indicators present: a alone, 50 of room
        (30.0, {"a": 50, "b": 0}, {"a": 1.0, "b": 0.0, "c": 1.0}, [("a", 50.0)]),
        (60.0, {"a": 50, "b": 0}, {"a": 1.0, "b": 0.0, "c": 1.0}, None),
    ],
)
def test_indicators_together_are_the_fewest_with_the_most_room(gap, normalised, weights, expected):
    found = indicators_together(gap, normalised, weights)
    if expected is None:
        assert found is None
    else:
        assert found == [(code, pytest.approx(points)) for code, points in expected]
