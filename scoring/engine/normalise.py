"""Step 1 of scoring: each indicator's raw values to a 0–100 scale, better is higher.

Four methods (``ScoringMethod.normalisation``). Three are linear, defined by a
*scale*: the raw values ``low`` and ``high`` that map to the ends of 0–100 (the
direction decides which end is 100), values outside clipped:

- ``minmax``: low and high are the month's lowest and highest present value (or,
  with ``winsor_pct``, those percentiles of the present values);
- ``goalposts``: fixed low and high per indicator, the same every month;
- ``zscore``: mean ∓ ``zscore_clip_sd`` standard deviations (population), so the
  mean scores 50 and each standard deviation 50 / ``zscore_clip_sd`` points.

``percentile`` is not linear: a station scores the share of the other stations
with that indicator it does better than, a tie counting half (100 for the best, 0 for
the worst; a lone station scores 100).

Shared rules: a missing value stays missing and takes no part; when low = high (every
present value equal) each present value scores 100.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from scoring.engine.method import GOALPOSTS, MINMAX, PERCENTILE, ZSCORE, ScoringMethod

#: Indicator code → (low, high) raw values mapped to the ends of 0–100, or None
#: where the method is not linear (percentile) or the indicator has no value.
Scales = dict[str, tuple[float, float] | None]


def normalise_min_max(values: pd.DataFrame, higher_is_better: pd.Series) -> pd.DataFrame:
    """The default: min-max over each column's present values."""
    arr = values.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: NaN
        low = np.nanmin(arr, axis=0) if len(arr) else np.full(arr.shape[1], np.nan)
        high = np.nanmax(arr, axis=0) if len(arr) else np.full(arr.shape[1], np.nan)
    return linear_scale(values, higher_is_better, low, high)


def normalise(
    values: pd.DataFrame,
    higher_is_better: pd.Series,
    method: ScoringMethod,
    valid_ranges: dict[str, tuple[float, float]] | None = None,
) -> tuple[pd.DataFrame, Scales]:
    """Normalise by the method; also return each indicator's scale (for explanations).

    ``valid_ranges``: each indicator's valid range, the goalposts of an indicator the
    method lists none for.
    """
    codes = list(values.columns)
    if method.normalisation == PERCENTILE:
        return _percentile(values, higher_is_better), dict.fromkeys(codes)
    low, high = _bounds(values.to_numpy(dtype=float), codes, method, valid_ranges or {})
    scales = {
        code: None if np.isnan(lo) else (float(lo), float(hi))
        for code, lo, hi in zip(codes, low, high, strict=True)
    }
    return linear_scale(values, higher_is_better, low, high), scales


def _bounds(
    arr: np.ndarray,
    codes: list[str],
    method: ScoringMethod,
    valid_ranges: dict[str, tuple[float, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Each column's (low, high): NaN for a column with no present value."""
    columns = arr.shape[1]
    empty = np.full(columns, np.nan)
    if arr.shape[0] == 0:
        return empty, empty.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: NaN
        if method.normalisation == MINMAX:
            if method.winsor_pct is None:
                return np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
            low, high = np.nanpercentile(arr, method.winsor_pct, axis=0)
            return low, high
        if method.normalisation == ZSCORE:
            mean = np.nanmean(arr, axis=0)
            spread = method.zscore_clip_sd * np.nanstd(arr, axis=0)
            return mean - spread, mean + spread
    assert method.normalisation == GOALPOSTS
    present = ~np.isnan(arr).all(axis=0)
    low, high = empty.copy(), empty.copy()
    for index, code in enumerate(codes):
        bounds = method.goalposts_for(code) or valid_ranges.get(code)
        if bounds is None:
            raise ValueError(f"no goalposts for {code}: give them in the method")
        if present[index]:
            low[index], high[index] = bounds
    return low, high


def linear_scale(
    values: pd.DataFrame, higher_is_better: pd.Series, low: np.ndarray, high: np.ndarray
) -> pd.DataFrame:
    """v → 100·(v − low)/(high − low), or 100·(high − v)/(high − low), clipped to 0–100;
    NaN stays NaN; a column with low = high gives its present values 100."""
    better_high = higher_is_better.reindex(values.columns).to_numpy(dtype=bool)
    scaled = scale_array(values.to_numpy(dtype=float), better_high, low, high)
    return pd.DataFrame(scaled, index=values.index, columns=values.columns)


def scale_array(
    arr: np.ndarray, better_high: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """``linear_scale`` on a plain array (rows × indicators)."""
    span = high - low
    offset = np.where(better_high, low, high)
    sign = np.where(better_high, 1.0, -1.0)  # the sign flip is exact
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant column: fixed below
        scaled = 100.0 * ((arr - offset) * sign) / span + 0.0  # + 0.0: no "-0.0"
    np.clip(scaled, 0.0, 100.0, out=scaled)  # NaN stays NaN
    constant = span == 0
    if constant.any():
        scaled[:, constant] = np.where(np.isnan(arr[:, constant]), np.nan, 100.0)
    return scaled


def _percentile(values: pd.DataFrame, higher_is_better: pd.Series) -> pd.DataFrame:
    """100 · (stations worse + half the other stations tied) / (stations with a value − 1)."""
    better_high = higher_is_better.reindex(values.columns).to_numpy(dtype=bool)
    oriented = values * np.where(better_high, 1.0, -1.0)
    # Average rank from the worst (1) up: worse + (tied others) / 2 + 1.
    ranks = oriented.rank(method="average", ascending=True).to_numpy(dtype=float)
    counts = values.notna().sum(axis=0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(counts > 1, 100.0 * (ranks - 1) / (counts - 1), 100.0)
    scaled = np.where(np.isnan(ranks), np.nan, scaled)
    return pd.DataFrame(scaled, index=values.index, columns=values.columns)
