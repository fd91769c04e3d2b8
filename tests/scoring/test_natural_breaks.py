"""Natural breaks are the optimal partition (Fisher–Jenks): against brute force on every
small case and against jenkspy (an independent implementation) on larger ones."""

from __future__ import annotations

import itertools
from fractions import Fraction

import jenkspy
import numpy as np
import pytest

from scoring.engine.grades import GRADE_ORDER
from scoring.engine.grading import grade_positions, natural_break_thresholds
from scoring.engine.jenks import optimal_class_starts


def _sum_of_squares(values: list[int], weights: list[int], starts: tuple[int, ...]) -> Fraction:
    bounds = (*starts, len(values))
    total = Fraction(0)
    for low, high in itertools.pairwise(bounds):
        count = sum(weights[low:high])
        first = sum(v * w for v, w in zip(values[low:high], weights[low:high], strict=True))
        second = sum(v * v * w for v, w in zip(values[low:high], weights[low:high], strict=True))
        total += second - Fraction(first * first, count)
    return total


def brute_force(values: list[int], weights: list[int], classes: int) -> list[int]:
    """Every partition tried, in exact fractions; ties go to the one whose best class
    starts lowest, then the next best, and so on."""
    best = None
    for cuts in itertools.combinations(range(1, len(values)), classes - 1):
        starts = (0, *cuts)
        key = (_sum_of_squares(values, weights, starts), tuple(reversed(starts)))
        if best is None or key < best:
            best = key
    assert best is not None
    return list(reversed(best[1]))


def _small_cases(count: int) -> list[tuple[list[int], list[int], int]]:
    rng = np.random.default_rng(15)
    cases = []
    for _ in range(count):
        spread = int(rng.choice([4, 12, 40, 10_001]))
        values = sorted({int(v) for v in rng.integers(0, spread, int(rng.integers(1, 13)))})
        weights = [int(w) for w in rng.integers(1, 4, len(values))]
        classes = int(rng.integers(1, min(5, len(values)) + 1))
        cases.append((values, weights, classes))
    return cases


@pytest.mark.parametrize(("values", "weights", "classes"), _small_cases(600))
def test_the_partition_is_the_brute_force_optimum(values, weights, classes):
    starts = optimal_class_starts(np.array(values, dtype=float), np.array(weights), classes)
    assert starts.tolist() == brute_force(values, weights, classes)


def _small_score_sets(count: int) -> list[list[float]]:
    rng = np.random.default_rng(1515)
    sets = []
    while len(sets) < count:
        scores = rng.integers(0, int(rng.choice([8, 30, 10_001])), int(rng.integers(5, 13))) / 100
        if len(set(scores.tolist())) >= 5:
            sets.append(sorted(scores.tolist()))
    return sets


@pytest.mark.parametrize("ascending", _small_score_sets(300))
def test_the_thresholds_are_the_brute_force_optimum(ascending):
    units = [round(score * 100) for score in ascending]
    distinct = sorted(set(units))
    starts = brute_force(distinct, [units.count(unit) for unit in distinct], 5)
    expected = [distinct[start] / 100 for start in reversed(starts)]
    assert natural_break_thresholds(np.array(ascending), 2) == expected


def test_every_split_of_six_equal_gaps_ties_and_the_best_class_takes_the_value():
    # Any adjacent pair merged costs the same: the best class starts as low as it can.
    ascending = np.array([0, 10, 20, 30, 40, 50], dtype=float)
    assert natural_break_thresholds(ascending, 2) == [40.0, 30.0, 20.0, 10.0, 0.0]


def _labels_from_jenkspy(ascending: np.ndarray) -> np.ndarray:
    # jenkspy's breaks are the highest value of each class (and the lowest value first).
    breaks = jenkspy.jenks_breaks(ascending, n_classes=5)
    return np.searchsorted(np.asarray(breaks[1:-1]), ascending, side="left")


def _within_sum_of_squares(ascending: np.ndarray, labels: np.ndarray) -> float:
    return sum(
        float(((ascending[labels == c] - ascending[labels == c].mean()) ** 2).sum())
        for c in set(labels.tolist())
    )


@pytest.mark.parametrize(
    ("size", "seed", "shape"),
    [
        (200, 1, "uniform"),
        (500, 2, "normal"),
        (1_000, 3, "clusters"),
        (3_000, 4, "normal"),
        (5_000, 5, "uniform"),
    ],
)
def test_larger_sets_agree_with_jenkspy(size, seed, shape):
    rng = np.random.default_rng(seed)
    if shape == "uniform":
        raw = rng.uniform(0, 100, size)
    elif shape == "normal":
        raw = rng.normal(70, 12, size)
    else:
        raw = rng.normal(rng.choice([20, 45, 60, 85], size), 4)
    ascending = np.sort(np.round(np.clip(raw, 0, 100), 2))
    thresholds = natural_break_thresholds(ascending, 2)
    # Grade positions run red (0) … yellow (4): class 4 − position, lowest class first.
    ours = len(GRADE_ORDER) - 1 - grade_positions(ascending, thresholds, 2)
    theirs = _labels_from_jenkspy(ascending)
    assert _within_sum_of_squares(ascending, ours) == pytest.approx(
        _within_sum_of_squares(ascending, theirs), rel=1e-9
    )
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize(
    ("ascending", "expected"),
    [
        # Fewer than five distinct values: each is a class, spread red … yellow.
        ([5, 5, 5], [5.0, None, None, None, None]),
        ([1, 1, 1, 2], [2.0, None, None, None, 1.0]),
        ([1, 2, 3], [3.0, None, 2.0, None, 1.0]),
        ([1, 1, 2, 3, 4, 4, 4], [4.0, 3.0, None, 2.0, 1.0]),
        ([], [None, None, None, None, None]),
        # Values compared in whole hundredths: 0.1 + 0.2 is 0.30, one class with 0.3.
        ([0.1, 0.3, 0.1 + 0.2, 0.5], [0.5, None, 0.3, None, 0.1]),
    ],
)
def test_few_distinct_values(ascending, expected):
    assert natural_break_thresholds(np.array(ascending, dtype=float), 2) == expected
