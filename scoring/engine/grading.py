"""From scores to the five grades, by quotas, fixed thresholds or natural breaks.

Every grading method is expressed the same way: five *thresholds*, the value each
grade starts at, best first (None for a grade no value reaches). A value gets the
first grade whose threshold it reaches; the boundary rule is therefore the same
for all methods: **a value exactly on a threshold gets the better grade**. Values
are compared as whole numbers of their last decimal (``decimals``), so 80.00 is
never below an 80 cut because of binary rounding.

- quotas: the thresholds are the c-th highest value for each cumulative cut-off c
  (``quota_cutoffs``). A value at least the c-th highest has rank at most c, so this
  is exactly ranking then cutting; tied values share the better grade.
- thresholds: the method's four scores (red, orange, blue, green start), yellow at 0.
- natural breaks: the partition into five classes with the least within-class sum of
  squares (Fisher–Jenks, exact: ``scoring.engine.jenks``); among equally good
  partitions each class, best first, starts as low as it can. Each threshold is the
  lowest value of its class (None for an empty class).
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from scoring.engine.grades import GRADE_ORDER, UNGRADED
from scoring.engine.jenks import optimal_class_starts
from scoring.engine.method import NATURAL_BREAKS, QUOTAS, Cap, ScoringMethod

Thresholds = list[float | None]

_OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def quota_cutoffs(graded_count: int, quotas_pct: tuple[int, ...]) -> np.ndarray:
    """Cumulative last rank of each grade: floor(N·q_cum + 0.5), in exact integers."""
    cumulative = np.cumsum(quotas_pct)
    return (2 * graded_count * cumulative + 100) // 200


def grades_for_ranks(ranks: pd.Series, cutoffs: np.ndarray) -> pd.Series:
    """A station's grade is the first whose cut-off is at least its rank."""
    grades = pd.Series(UNGRADED, index=ranks.index, dtype=object)
    ranked = ranks.notna()
    positions = np.searchsorted(cutoffs, ranks[ranked].to_numpy(dtype=int), side="left")
    positions = np.minimum(positions, len(GRADE_ORDER) - 1)
    grades[ranked] = np.asarray(GRADE_ORDER, dtype=object)[positions]
    return grades


def _units(values: np.ndarray, decimals: int) -> np.ndarray:
    """Values as whole numbers of their last decimal (they are already rounded to it)."""
    return np.rint(values * 10.0**decimals)


def thresholds_for(values: np.ndarray, method: ScoringMethod, decimals: int) -> Thresholds:
    """The five thresholds for a set of values (no NaN, any order)."""
    count = len(values)
    if method.grading == QUOTAS:
        cutoffs = quota_cutoffs(count, method.quotas_pct)
        # The c-th highest value is at position count − c in ascending order: a
        # partial sort at those positions finds them in linear time.
        positions = sorted({count - int(c) for c in cutoffs if c >= 1})
        ordered = np.partition(values, positions) if positions else values
        return [float(ordered[count - c]) if c >= 1 else None for c in cutoffs]
    if method.grading == NATURAL_BREAKS:
        return natural_break_thresholds(np.sort(values), decimals)
    return [*method.thresholds, 0.0]


def natural_break_thresholds(ascending: np.ndarray, decimals: int) -> Thresholds:
    """The optimal partition into five classes (Fisher–Jenks) of values sorted lowest
    first; the lowest value of each class, best class first. Equal values always share
    a class; with fewer than five distinct values each is a class of its own, spread
    over the grades from red (highest) to yellow (lowest)."""
    grades = len(GRADE_ORDER)
    if len(ascending) == 0:
        return [None] * grades
    distinct, first, counts = np.unique(
        _units(ascending, decimals), return_index=True, return_counts=True
    )
    classes = min(grades, len(distinct))
    starts = optimal_class_starts(distinct, counts, classes)
    lowest: Thresholds = [None] * grades
    # Class c (of `classes`, lowest first) takes grade slot round(c·4 / (classes − 1)).
    slots = np.rint(np.arange(classes) * (grades - 1) / max(classes - 1, 1)).astype(int)
    if classes == 1:
        slots[:] = grades - 1
    for slot, start in zip(slots, starts, strict=True):
        lowest[slot] = float(ascending[first[start]])
    return lowest[::-1]


def grade_positions(values: np.ndarray, thresholds: Thresholds, decimals: int) -> np.ndarray:
    """0 (red) … 4 (yellow) for each value: the first grade whose threshold it reaches.
    NaN values get -1."""
    units = _units(values, decimals)
    positions = np.full(len(values), len(GRADE_ORDER) - 1, dtype=np.int64)
    open_ = ~np.isnan(values)
    for position, threshold in enumerate(thresholds[:-1]):
        if threshold is None:
            continue
        reached = open_ & (units >= _units(np.asarray(threshold, dtype=np.float64), decimals))
        positions[reached] = position
        open_ &= ~reached
    positions[np.isnan(values)] = -1
    return positions


def grade_scores(
    scores: pd.Series,
    method: ScoringMethod,
    groups: pd.Series | None = None,
) -> tuple[np.ndarray, dict[str, Thresholds]]:
    """Grade positions for the scores (-1 where NaN) and the thresholds used, per peer
    group (key "" for the whole company when there are no groups)."""
    values = scores.to_numpy(dtype=float)
    positions = np.full(len(values), -1, dtype=np.int64)
    if groups is None:
        keys = np.zeros(len(values), dtype=np.int64)
        names = [""]
    else:
        keys, uniques = pd.factorize(groups.reindex(scores.index).fillna("").astype(str))
        names = [str(name) for name in uniques]
    used: dict[str, Thresholds] = {}
    for key, name in enumerate(names):
        members = keys == key
        member_values = values[members]
        graded = member_values[~np.isnan(member_values)]
        thresholds = thresholds_for(graded, method, method.decimals)
        used[name] = thresholds
        positions[members] = grade_positions(member_values, thresholds, method.decimals)
    return positions, used


def cap_positions(values: pd.DataFrame, caps: tuple[Cap, ...]) -> tuple[np.ndarray, np.ndarray]:
    """For each station the best grade position its caps allow (0 when none applies)
    and the index of the cap that sets it (-1 when none). The strictest cap wins; among
    equally strict ones, the first listed."""
    limit = np.zeros(len(values), dtype=np.int64)
    which = np.full(len(values), -1, dtype=np.int64)
    for index, cap in enumerate(caps):
        if cap.indicator not in values.columns:
            continue
        raw = values[cap.indicator].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            applies = _OPERATORS[cap.operator](raw, cap.value) & ~np.isnan(raw)
        position = GRADE_ORDER.index(cap.grade)
        stricter = applies & (position > limit)
        limit[stricter] = position
        which[stricter] = index
    return limit, which
