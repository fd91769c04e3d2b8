"""How sure is a station's colour? Weight sensitivity by Monte Carlo (pure numpy).

Each draw multiplies every weight by its own factor, uniform in [1 − spread, 1 + spread],
and scores the month again from the run's normalised values (min-max does not depend
on the weights, so only the weighted mean, the rank and the grade change). The set of
graded stations is the run's: coverage is not re-decided per draw.

Ranks use the published precision: scores rounded half up to ``decimals`` are whole
numbers of hundredths, so one ``bincount`` per chunk of draws counts, for every score,
how many stations score strictly higher: that is the competition rank minus one, for
all stations of all draws at once, without sorting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.compute import ROUNDING_TOLERANCE, quota_cutoffs
from scoring.engine.grades import GRADE_ORDER


@dataclass(frozen=True)
class Sensitivity:
    #: Graded station × grade: the share of draws giving that grade (rows add up to 1).
    grade_shares: pd.DataFrame
    #: The best and worst rank in the middle ``coverage`` of draws (e.g. 5th–95th percentile).
    rank_low: pd.Series
    rank_high: pd.Series
    #: Every parameter of the run, to be stored with its result.
    params: dict


def weight_sensitivity(
    normalised: pd.DataFrame,
    weights: pd.Series,
    graded: pd.Series,
    quotas_pct: tuple[int, ...],
    *,
    decimals: int = 2,
    spread: float = 0.2,
    draws: int = 1000,
    seed: int = 0,
    coverage: float = 0.9,
    chunk: int = 100,
) -> Sensitivity:
    """Grade shares and rank intervals of the graded stations under perturbed weights."""
    codes = list(weights.index)
    stations = normalised.index[graded.reindex(normalised.index, fill_value=False).to_numpy()]
    values = normalised.loc[stations, codes].to_numpy(dtype=float)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    base = weights.to_numpy(dtype=float)
    count = len(stations)
    cutoffs = quota_cutoffs(count, quotas_pct)
    scale = 10**decimals
    top = 100 * scale + 1  # scores are 0 … 100·scale in whole units
    rng = np.random.default_rng(seed)

    grade_counts = np.zeros((count, len(GRADE_ORDER)), dtype=np.int64)
    # Ranks kept for the interval: 2 bytes each while they fit (a 30,000-station month
    # × 1,000 draws is 60 MB).
    ranks = np.empty((count, draws), dtype=np.uint16 if count < 2**16 else np.int32)
    station_keys = (np.arange(count) * len(GRADE_ORDER))[:, None]
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        factors = rng.uniform(1 - spread, 1 + spread, size=(size, len(base)))
        drawn = base * factors  # size × indicators
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = (filled @ drawn.T) / (present @ drawn.T)  # stations × size
        # round_half_up(scores, decimals) · scale, kept in whole units.
        units = np.floor(scores * scale + 0.5 + ROUNDING_TOLERANCE).astype(np.int64)
        # For every draw, how many stations score strictly higher than each score.
        offsets = units + np.arange(size) * top
        histogram = np.bincount(offsets.ravel(), minlength=size * top).reshape(size, top)
        higher = np.cumsum(histogram[:, ::-1], axis=1)[:, ::-1] - histogram  # strictly above
        rank = higher[np.arange(size)[None, :], units] + 1  # stations × size
        ranks[:, done : done + size] = rank
        # grades_for_ranks: the first grade whose cut-off is at least the rank.
        position = sum((rank > cutoff).astype(np.int8) for cutoff in cutoffs[:-1])
        keys = (station_keys + position).ravel()
        grade_counts += np.bincount(keys, minlength=count * len(GRADE_ORDER)).reshape(
            count, len(GRADE_ORDER)
        )
        done += size

    tail = (1 - coverage) / 2
    low_k, high_k = int(np.floor(tail * (draws - 1))), int(np.ceil((1 - tail) * (draws - 1)))
    # Sorting 2-byte integers is a radix sort: faster here than a partial sort.
    ordered = np.sort(ranks, axis=1, kind="stable") if count else ranks
    return Sensitivity(
        grade_shares=pd.DataFrame(grade_counts / draws, index=stations, columns=GRADE_ORDER),
        rank_low=pd.Series(ordered[:, low_k] if count else [], index=stations, dtype=int),
        rank_high=pd.Series(ordered[:, high_k] if count else [], index=stations, dtype=int),
        params={
            "method": "weights × U(1 − spread, 1 + spread), independent per indicator",
            "spread": spread,
            "draws": draws,
            "seed": seed,
            "rank_interval": coverage,
            "quotas_pct": list(quotas_pct),
            "decimals": decimals,
            "weights": {code: float(w) for code, w in zip(codes, base, strict=True)},
        },
    )
