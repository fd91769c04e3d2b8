"""The default scoring of one month, as plain pandas/numpy (no Django, no ORM).

Steps, each a function with its own tests:
1. ``normalise_min_max``: each indicator to 0–100 over the stations that have it.
2. ``weight_coverage``: share of the total weight a station has data for.
3. ``weighted_score``: weighted mean over the present indicators, rounded half up.
4. ``competition_rank``: 1, 2, 2, 4 by score, highest first.
5. ``quota_cutoffs`` / ``grades_for_ranks``: five grades by quota; ties share the better.
6. ``indicator_thresholds``: the same quota rule applied to each indicator on its own.
7. ``month_summary``: the company medians, ranges and grade thresholds the pages use.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.grades import GRADE_ORDER, UNGRADED
from scoring.engine.method import DEFAULT_METHOD, ScoringMethod

NO_DATA = "no_data"
LOW_COVERAGE = "low_coverage"

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
    (float, NaN when ungraded), ``rank`` (nullable int), ``grade``,
    ``coverage`` (0–1) and ``ungraded_reason`` (None, ``no_data`` or
    ``low_coverage``). ``normalised``: station × indicator, 0–100, NaN where the
    station has no value. ``summary``: company medians (``month_summary``) and
    each indicator's grade thresholds (``indicator_thresholds``).
    """

    stations: pd.DataFrame
    normalised: pd.DataFrame
    summary: dict


def normalise_min_max(values: pd.DataFrame, higher_is_better: pd.Series) -> pd.DataFrame:
    """Scale each column to 0–100 over its non-missing values.

    Higher is better: 100·(v−min)/(max−min); lower is better: 100·(max−v)/(max−min).
    A column whose present values are all equal gives those stations 100.
    """
    arr = values.to_numpy(dtype=float)
    if arr.shape[0] == 0:
        return values.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: NaN
        lo = np.nanmin(arr, axis=0)
        hi = np.nanmax(arr, axis=0)
    span = hi - lo
    better_high = higher_is_better.reindex(values.columns).to_numpy(dtype=bool)
    # v → 100·(v − lo)/span, or 100·(hi − v)/span (the sign flip is exact); NaN
    # (missing) stays NaN; a constant column gives 100.
    offset = np.where(better_high, lo, hi)
    sign = np.where(better_high, 1.0, -1.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant column: fixed below
        scaled = 100.0 * ((arr - offset) * sign) / span + 0.0  # + 0.0: no "-0.0"
    constant = span == 0
    if constant.any():
        scaled[:, constant] = np.where(np.isnan(arr[:, constant]), np.nan, 100.0)
    return pd.DataFrame(scaled, index=values.index, columns=values.columns)


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


def indicator_thresholds(
    normalised: pd.DataFrame, quotas_pct: tuple[int, ...]
) -> dict[str, list[float | None]]:
    """Each indicator graded on its own by the same rule as the composite score: the
    stations that have it, ranked by their normalised value as stored
    (``NORMALISED_DECIMALS``; ties share the better rank), cut by the quotas.

    Returned as five thresholds per indicator, one per grade: the c-th highest value
    for each cut-off c (None when c = 0). A value's rank is at most c exactly when
    the value is at least that threshold, so ``grade_from_thresholds`` gives every
    station's grade from the stored thresholds and its own stored value (the tests
    check this equals ``grades_for_ranks``). Stored with the run, they let a page
    grade one station without loading the whole month.
    """
    values = normalised.round(NORMALISED_DECIMALS).to_numpy(dtype=float)
    best_first = -np.sort(-values, axis=0)  # highest first, NaN last
    counts = (~np.isnan(values)).sum(axis=0)
    return _thresholds(best_first, counts, list(normalised.columns), quotas_pct)


def _thresholds(
    best_first: np.ndarray, counts: np.ndarray, codes: list[str], quotas_pct: tuple[int, ...]
) -> dict[str, list[float | None]]:
    """The c-th highest value of each column (values sorted highest first) per cut-off c."""
    result: dict[str, list[float | None]] = {}
    for index, code in enumerate(codes):
        cutoffs = quota_cutoffs(int(counts[index]), quotas_pct)
        result[code] = [float(best_first[c - 1, index]) if c >= 1 else None for c in cutoffs]
    return result


def grade_from_thresholds(value: float | None, thresholds: list[float | None] | None) -> str:
    """A station's grade on one indicator: the first whose threshold its value reaches."""
    if value is None or not thresholds or np.isnan(value):
        return UNGRADED
    value = round(value, NORMALISED_DECIMALS)
    for grade, threshold in zip(GRADE_ORDER, thresholds, strict=True):
        if threshold is not None and value >= threshold:
            return grade
    return GRADE_ORDER[-1]


def _sorted_medians(ascending: np.ndarray, counts: np.ndarray) -> list[float | None]:
    """Median of each column of values sorted lowest first with NaN last."""
    medians: list[float | None] = []
    for index, count in enumerate(counts):
        if count == 0:
            medians.append(None)
            continue
        middle = (ascending[(count - 1) // 2, index] + ascending[count // 2, index]) / 2
        medians.append(round(float(middle), 4))
    return medians


def _summary(
    ascending: np.ndarray, counts: np.ndarray, codes: list[str], scores: pd.Series
) -> dict[str, object]:
    graded = np.sort(scores.to_numpy(dtype=float))[:, None]
    count = np.array([int(scores.notna().sum())])
    return {
        "median_score": _sorted_medians(graded, count)[0],
        "indicator_medians": dict(zip(codes, _sorted_medians(ascending, counts), strict=True)),
        "indicator_ranges": {
            code: [float(ascending[0, i]), float(ascending[counts[i] - 1, i])]
            if counts[i]
            else None
            for i, code in enumerate(codes)
        },
    }


def month_summary(
    values: pd.DataFrame,
    higher_is_better: pd.Series,
    scores: pd.Series,
    quotas_pct: tuple[int, ...],
) -> dict[str, object]:
    """Everything the pages compare a station with: medians, each indicator's range,
    the score each grade starts at (``score_thresholds``: the c-th highest graded
    score per cut-off c, so a score at least that high has at most that rank) and
    each indicator's grade thresholds.

    Medians and indicator thresholds come from one sort of the raw values: normalising
    the sorted values gives each indicator's stored normalised values in order
    (the same numbers, the same formula), highest first once the lower-is-better
    columns are read the other way round."""
    codes = list(values.columns)
    raw = values.to_numpy(dtype=float)
    ascending = np.sort(raw, axis=0)  # lowest first, NaN last
    counts = (~np.isnan(raw)).sum(axis=0)
    ordered = normalise_min_max(pd.DataFrame(ascending, columns=codes), higher_is_better).round(
        NORMALISED_DECIMALS
    )
    best_first = np.full(raw.shape, np.nan)
    higher = higher_is_better.reindex(codes).to_numpy(dtype=bool)
    for index, count in enumerate(counts):
        column = ordered.iloc[:count, index].to_numpy()
        best_first[:count, index] = column[::-1] if higher[index] else column
    summary = _summary(ascending, counts, codes, scores)
    graded = np.sort(scores.dropna().to_numpy(dtype=float))[::-1][:, None]
    summary["score_thresholds"] = _thresholds(
        graded, np.array([len(graded)]), ["score"], quotas_pct
    )["score"]
    summary["indicator_thresholds"] = _thresholds(best_first, counts, codes, quotas_pct)
    return summary


def score_period(
    values: pd.DataFrame,
    weights: pd.Series,
    higher_is_better: pd.Series,
    method: ScoringMethod = DEFAULT_METHOD,
) -> PeriodScores:
    """Score one month.

    ``values``: index = every active station of the company (a station with no
    data is a row of NaN), columns = indicator codes, raw values. ``weights`` and
    ``higher_is_better``: indexed by indicator code; only weighted indicators count.
    """
    codes = list(weights.index)
    values = values.reindex(columns=codes).astype(float)
    normalised = normalise_min_max(values, higher_is_better)
    present = values.notna()

    coverage = weight_coverage(present, weights)
    has_data = present.any(axis=1)
    coverage_pct = round_half_up(coverage.to_numpy() * 100, 6)
    graded = has_data & (coverage_pct >= method.coverage_min_pct)

    score = weighted_score(normalised, weights, method.decimals).where(graded)
    rank = competition_rank(score)
    cutoffs = quota_cutoffs(int(graded.sum()), method.quotas_pct)
    grade = grades_for_ranks(rank, cutoffs)

    reason = pd.Series(
        np.where(~has_data, NO_DATA, np.where(~graded, LOW_COVERAGE, None)),
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
        }
    )
    return PeriodScores(
        stations=stations,
        normalised=normalised,
        summary=month_summary(values, higher_is_better, score, method.quotas_pct),
    )
