"""The scoring of one month, as plain pandas/numpy (no Django, no ORM).

Steps, each a function with its own tests:
1. ``missing.carry_forward``: for indicators whose missing-data policy says so, a
   station's last value of the few months before fills a gap (flagged).
2. ``normalise.normalise``: each indicator to 0–100 (min-max by default).
3. ``weight_coverage``: share of the total weight a station has data for; below the
   minimum, or missing an indicator whose policy is *disqualify*, it is ungraded.
4. ``weighted_score``: weighted mean over the present indicators, rounded half up.
5. ``competition_rank``: 1, 2, 2, 4 by score, highest first.
6. ``grading.grade_scores``: five grades by quotas, fixed thresholds or natural breaks,
   over the company or within each peer group; then ``grading.cap_positions``.
7. ``month_summary``: the medians, scales and grade thresholds the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.grades import GRADE_ORDER, UNGRADED
from scoring.engine.grading import (
    Thresholds,
    cap_positions,
    grade_positions,
    grade_scores,
    grades_for_ranks,
    quota_cutoffs,
    thresholds_for,
)
from scoring.engine.method import (
    CARRY_FORWARD,
    DEFAULT_METHOD,
    DISQUALIFY,
    PERCENTILE,
    QUOTAS,
    ScoringMethod,
)
from scoring.engine.missing import carry_forward
from scoring.engine.normalise import Scales, normalise, normalise_min_max, scale_array

__all__ = ["grades_for_ranks", "normalise_min_max", "quota_cutoffs"]

NO_DATA = "no_data"
#: The reason of a graded station, as an array: numpy's type stubs refuse a bare None here.
NO_REASON = np.array(None, dtype=object)
LOW_COVERAGE = "low_coverage"
MISSING_REQUIRED = "missing_required"

# Scores are compared at a fixed number of decimals. A weighted mean that is
# exactly x.xx5 on paper may come out of binary arithmetic a hair below it; this
# tolerance (far above float error, far below a hundredth) rounds it up as written.
ROUNDING_TOLERANCE = 1e-7
#: Normalised values are stored, shown and graded per indicator at this precision.
NORMALISED_DECIMALS = 4


@dataclass(frozen=True)
class PeriodScores:
    """The result for one month.

    ``stations``: one row per station (index = station id) with ``score``
    (float, NaN when ungraded), ``rank`` (nullable int, over the whole company),
    ``grade``, ``coverage`` (0–1), ``ungraded_reason`` (None, ``no_data``,
    ``missing_required`` or ``low_coverage``) and ``flags`` (a dict or None: the
    indicators carried forward and how many months back, the cap that limited the
    grade, the peer group graded in). ``normalised``: station × indicator, 0–100, NaN
    where the station has no value. ``summary``: ``month_summary``.
    """

    stations: pd.DataFrame
    normalised: pd.DataFrame
    summary: dict


def weight_coverage(present: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Sum of the weights of the indicators a station has ÷ sum of all weights."""
    w = weights.reindex(present.columns).to_numpy(dtype=float)
    total = w.sum()
    covered = present.to_numpy(dtype=bool) @ w
    return pd.Series(covered / total if total > 0 else 0.0, index=present.index)


def round_half_up(values: np.ndarray, decimals: int) -> np.ndarray:
    factor = 10.0**decimals
    return np.floor(values * factor + 0.5 + ROUNDING_TOLERANCE) / factor


def weighted_score(normalised: pd.DataFrame, weights: pd.Series, decimals: int) -> pd.Series:
    """Weighted mean of the normalised values over the indicators present."""
    arr = normalised.to_numpy(dtype=float)
    w = weights.reindex(normalised.columns).to_numpy(dtype=float)
    present = ~np.isnan(arr)
    weight_present = present @ w
    weighted_sum = np.where(present, arr, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight_present > 0, weighted_sum / weight_present, np.nan)
    return pd.Series(round_half_up(mean, decimals), index=normalised.index)


def competition_rank(scores: pd.Series) -> pd.Series:
    """1, 2, 2, 4: tied scores share the best rank; NaN scores get no rank."""
    ranks = scores.rank(method="min", ascending=False).to_numpy()
    missing = np.isnan(ranks)
    integers = np.where(missing, 0, ranks).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(integers, missing), index=scores.index)


def indicator_thresholds(
    normalised: pd.DataFrame, method: ScoringMethod = DEFAULT_METHOD
) -> dict[str, Thresholds]:
    """Each indicator graded on its own by the method's grading rule (over the whole
    company): the stations that have it, by their normalised value as stored
    (``NORMALISED_DECIMALS``), as five thresholds per indicator (see ``grading``).
    ``grade_from_thresholds`` then gives any station's grade from its own stored
    value, so a page grades one station without loading the whole month."""
    stored = normalised.round(NORMALISED_DECIMALS)
    return {
        code: thresholds_for(_present(stored[code].to_numpy()), method, NORMALISED_DECIMALS)
        for code in normalised.columns
    }


def grade_from_thresholds(value: float | None, thresholds: Thresholds | None) -> str:
    """A grade from stored thresholds: the first whose threshold the value reaches
    (compared at ``NORMALISED_DECIMALS``, so it serves scores and indicators alike)."""
    if value is None or not thresholds or np.isnan(value):
        return UNGRADED
    value = round(value, NORMALISED_DECIMALS)
    for grade, threshold in zip(GRADE_ORDER, thresholds, strict=True):
        if threshold is not None and value >= round(threshold, NORMALISED_DECIMALS):
            return grade
    return GRADE_ORDER[-1]


def indicator_grades(
    normalised: pd.DataFrame, thresholds: dict[str, Thresholds | None]
) -> pd.DataFrame:
    """Every station's grade on each indicator, from a month's stored thresholds
    (``summary["indicator_thresholds"]``): ``grade_from_thresholds`` for a whole month
    at once. UNGRADED where a station has no value or the indicator no thresholds."""
    codes = np.asarray(GRADE_ORDER, dtype=object)
    columns = {}
    for code in normalised.columns:
        found = thresholds.get(code)
        column = np.full(len(normalised), UNGRADED, dtype=object)
        if found:
            positions = grade_positions(
                normalised[code].to_numpy(dtype=float), found, NORMALISED_DECIMALS
            )
            graded = positions >= 0
            column[graded] = codes[positions[graded]]
        columns[code] = column
    return pd.DataFrame(columns, index=normalised.index, columns=normalised.columns)


def _present(column: np.ndarray) -> np.ndarray:
    return column[~np.isnan(column)]


def median_and_range(values: np.ndarray) -> tuple[float | None, list[float] | None]:
    """Median (4 decimals) and [lowest, highest] of the present values, found by a
    partial sort (linear time)."""
    present = _present(values)
    count = len(present)
    if count == 0:
        return None, None
    middle = sorted({0, (count - 1) // 2, count // 2, count - 1})
    ordered = np.partition(present, middle)
    median = (ordered[(count - 1) // 2] + ordered[count // 2]) / 2
    return round(float(median), 4), [float(ordered[0]), float(ordered[count - 1])]


def month_summary(
    values: pd.DataFrame,
    higher_is_better: pd.Series,
    scores: pd.Series,
    method: ScoringMethod = DEFAULT_METHOD,
    *,
    normalised: pd.DataFrame | None = None,
    scales: Scales | None = None,
    score_thresholds: dict[str, Thresholds] | None = None,
) -> dict[str, object]:
    """Everything the pages compare a station with:

    - ``median_score``, ``indicator_medians`` (raw) and ``indicator_ranges`` (raw
      lowest and highest present value);
    - ``indicator_scales``: the raw values each indicator's 0 and 100 stand for (None
      for percentile);
    - ``score_thresholds``: the score each grade starts at (see ``grading``); with peer
      groups it is None and ``peer_score_thresholds`` holds each group's;
    - ``indicator_thresholds``: each indicator graded on its own.
    """
    if normalised is None or scales is None:
        normalised, scales = normalise(values, higher_is_better, method)
    raw = values.to_numpy(dtype=float)
    linear_quotas = method.grading == QUOTAS and method.normalisation != PERCENTILE
    medians, ranges, by_indicator = {}, {}, {}
    for index, code in enumerate(values.columns):
        if linear_quotas:
            found = _raw_order_statistics(
                raw[:, index], bool(higher_is_better[code]), scales.get(code), method
            )
            medians[code], ranges[code], by_indicator[code] = found
        else:
            medians[code], ranges[code] = median_and_range(raw[:, index])
    summary: dict[str, object] = {
        "median_score": median_and_range(scores.to_numpy(dtype=float))[0],
        "indicator_medians": medians,
        "indicator_ranges": ranges,
        "indicator_scales": {
            code: list(bounds) if bounds else None for code, bounds in scales.items()
        },
    }
    if score_thresholds is None:
        graded = _present(scores.to_numpy(dtype=float))
        score_thresholds = {"": thresholds_for(graded, method, method.decimals)}
    if list(score_thresholds) == [""]:
        summary["score_thresholds"] = score_thresholds[""]
    else:
        summary["score_thresholds"] = None
        summary["peer_score_thresholds"] = score_thresholds
    summary["indicator_thresholds"] = (
        by_indicator if linear_quotas else indicator_thresholds(normalised, method)
    )
    return summary


def _raw_order_statistics(
    column: np.ndarray,
    higher_is_better: bool,
    scale: tuple[float, float] | None,
    method: ScoringMethod,
) -> tuple[float | None, list[float] | None, Thresholds]:
    """Median, range and quota thresholds of one indicator from a single partial sort of
    its raw values. A linear scale (clipped, then rounded to ``NORMALISED_DECIMALS``)
    never changes the order of two values, so the c-th best stored normalised value is
    the normalised c-th best raw value: the same thresholds ``indicator_thresholds``
    finds by partially sorting the normalised column, for one partial sort instead of
    two (a test compares both ways)."""
    present = _present(column)
    count = len(present)
    cutoffs = quota_cutoffs(count, method.quotas_pct)
    if count == 0 or scale is None:
        return None, None, [None if c < 1 else 0.0 for c in cutoffs]
    # The c-th best is the c-th highest raw value, or the c-th lowest when lower is better.
    picks = [(count - int(c)) if higher_is_better else int(c) - 1 for c in cutoffs if c >= 1]
    middle = {0, (count - 1) // 2, count // 2, count - 1}
    ordered = np.partition(present, sorted(middle.union(picks)))
    median = round(float((ordered[(count - 1) // 2] + ordered[count // 2]) / 2), 4)
    low, high = (np.array([bound]) for bound in scale)
    scaled = scale_array(ordered[picks][:, None], np.array([higher_is_better]), low, high)
    stored = iter(np.round(scaled[:, 0], NORMALISED_DECIMALS).tolist())
    thresholds = [next(stored) if c >= 1 else None for c in cutoffs]
    return median, [float(ordered[0]), float(ordered[count - 1])], thresholds


def _flags(
    index: pd.Index,
    carried: pd.DataFrame | None,
    capped: np.ndarray,
    cap_index: np.ndarray,
    uncapped: np.ndarray,
    method: ScoringMethod,
    values: pd.DataFrame,
    groups: pd.Series | None,
) -> np.ndarray:
    """Per station: what the method did beyond the plain rules (None when nothing)."""
    flags = np.full(len(index), None, dtype=object)

    def flag(row: int | np.integer) -> dict:
        if flags[row] is None:
            flags[row] = {}
        return flags[row]

    if carried is not None:
        ages = carried.to_numpy()
        for row, column in zip(*np.nonzero(ages), strict=True):
            flag(row).setdefault("carried", {})[carried.columns[column]] = int(ages[row, column])
    for row in np.nonzero(capped)[0]:
        cap = method.caps[cap_index[row]]
        flag(row)["cap"] = {
            "indicator": cap.indicator,
            "rule": cap.rule,
            "value": float(values.iloc[row][cap.indicator]),
            "grade": cap.grade,
            "uncapped": GRADE_ORDER[uncapped[row]],
        }
    if groups is not None:
        for row, group in enumerate(groups.reindex(index).fillna("").astype(str)):
            flag(row)["peer_group"] = group
    return flags


def score_period(
    values: pd.DataFrame,
    weights: pd.Series,
    higher_is_better: pd.Series,
    method: ScoringMethod = DEFAULT_METHOD,
    *,
    history: list[pd.DataFrame] | None = None,
    peer_groups: pd.Series | None = None,
    valid_ranges: dict[str, tuple[float, float]] | None = None,
) -> PeriodScores:
    """Score one month.

    ``values``: index = every active station of the company (a station with no
    data is a row of NaN), columns = indicator codes, raw values. ``weights`` and
    ``higher_is_better``: indexed by indicator code; only weighted indicators count.
    ``history``: the months before, the month before first (for carry-forward).
    ``peer_groups``: station → group (used when the method grades within groups).
    ``valid_ranges``: indicator → (lowest, highest) valid value (default goalposts).
    """
    codes = list(weights.index)
    values = values.reindex(columns=codes).astype(float)
    carried = None
    forward = [code for code in method.codes_with(CARRY_FORWARD) if code in codes]
    if forward and history:
        values, carried = carry_forward(values, history, forward, method.carry_forward_months)
    normalised, scales = normalise(values, higher_is_better, method, valid_ranges)
    present = values.notna()

    coverage = weight_coverage(present, weights)
    has_data = present.any(axis=1).to_numpy()
    required = [code for code in method.codes_with(DISQUALIFY) if code in codes]
    lacks_required = (
        (~present[required]).any(axis=1).to_numpy() if required else np.zeros(len(values), bool)
    )
    coverage_pct = round_half_up(coverage.to_numpy() * 100, 6)
    covered = coverage_pct >= method.coverage_min_pct
    graded = has_data & ~lacks_required & covered

    score = weighted_score(normalised, weights, method.decimals).where(graded)
    rank = competition_rank(score)
    groups = peer_groups if method.peer_groups and peer_groups is not None else None
    uncapped, used_thresholds = grade_scores(score, method, groups)
    limit, cap_index = cap_positions(values, method.caps)
    positions = np.where(uncapped >= 0, np.maximum(uncapped, limit), -1)
    capped = positions > uncapped
    grade_names = np.asarray((*GRADE_ORDER, UNGRADED), dtype=object)
    grade = pd.Series(grade_names[positions], index=values.index, dtype=object)

    reason = pd.Series(
        np.where(
            ~has_data,
            NO_DATA,
            np.where(lacks_required, MISSING_REQUIRED, np.where(~covered, LOW_COVERAGE, NO_REASON)),
        ),
        index=values.index,
        dtype=object,
    )

    stations = pd.DataFrame(
        {
            "score": score,
            "rank": rank,
            "grade": grade,
            "coverage": coverage,
            "ungraded_reason": reason,
            "flags": _flags(
                values.index, carried, capped, cap_index, uncapped, method, values, groups
            ),
        }
    )
    return PeriodScores(
        stations=stations,
        normalised=normalised,
        summary=month_summary(
            values,
            higher_is_better,
            score,
            method,
            normalised=normalised,
            scales=scales,
            score_thresholds=used_thresholds,
        ),
    )
