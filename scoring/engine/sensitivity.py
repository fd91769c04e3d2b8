"""How sure is a station's colour? Weight sensitivity by Monte Carlo (pure numpy).

Each draw multiplies every weight by its own factor, uniform in [1 − spread, 1 + spread],
and scores the month again from the run's normalised values (min-max does not depend
on the weights, so only the weighted mean, the rank and the grade change). The set of
graded stations is the run's: coverage is not re-decided per draw.

Ranks use the published precision: scores rounded half up to ``decimals`` are whole
numbers of hundredths, so one ``bincount`` per draw counts, for every possible score,
how many stations score strictly higher: that is the competition rank minus one, a
table of 10,001 entries looked up by every station, without sorting. The draws are
scored ``BLOCK`` at a time, one row per draw, so a block's scores and the table stay in
the processor's cache while they are ranked and graded (1,000 draws at 30,000 stations:
about 0.5 s of processor time, against 1.3 s when a chunk of 100 draws was ranked at
once by one histogram; ``scripts/bench.py``, docs/performance.md).

The draws are graded by the method's own rule: quotas (from those ranks, within each
peer group when the method has them), fixed thresholds, or natural breaks (the
exact partition once per draw and group: slower, about half a second per 100 draws at
30,000 stations);
a cap limits a station's grade in every draw as it does in the month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from scoring.engine.compute import ROUNDING_TOLERANCE
from scoring.engine.grades import GRADE_ORDER
from scoring.engine.grading import grade_positions, natural_break_thresholds, quota_cutoffs
from scoring.engine.method import DEFAULT_METHOD, NATURAL_BREAKS, QUOTAS, ScoringMethod

#: Draws scored together: 8 draws × 30,000 stations of float64 is about 2 MB.
BLOCK = 8


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
    method: ScoringMethod = DEFAULT_METHOD,
    *,
    groups: pd.Series | None = None,
    cap_limit: pd.Series | None = None,
    spread: float = 0.2,
    draws: int = 1000,
    seed: int = 0,
    coverage: float = 0.9,
    chunk: int = 100,
) -> Sensitivity:
    """Grade shares and rank intervals of the graded stations under perturbed weights.

    ``groups``: station → peer group (used when the method grades within groups);
    ``cap_limit``: station → the best grade position its caps allow (0 = none)."""
    decimals = method.decimals
    codes = list(weights.index)
    stations = normalised.index[graded.reindex(normalised.index, fill_value=False).to_numpy()]
    values = normalised.loc[stations, codes].to_numpy(dtype=float)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    # As floats, so the weight present is a BLAS product like the weighted sum.
    present_weights = present.astype(float)
    base = weights.to_numpy(dtype=float)
    count = len(stations)
    if method.peer_groups and groups is not None:
        group_keys = pd.factorize(groups.reindex(stations).fillna("").astype(str))[0]
    else:
        group_keys = np.zeros(count, dtype=np.int64)
    members = [np.nonzero(group_keys == key)[0] for key in range(group_keys.max(initial=-1) + 1)]
    limit = (
        np.zeros(count, dtype=np.int8)
        if cap_limit is None
        else cap_limit.reindex(stations, fill_value=0).to_numpy(dtype=np.int8)
    )
    scale = 10**decimals
    top = 100 * scale + 1  # scores are 0 … 100·scale in whole units
    rng = np.random.default_rng(seed)

    grade_counts = np.zeros((count, len(GRADE_ORDER)), dtype=np.int64)
    # Ranks kept for the interval: 2 bytes each while they fit (a 30,000-station month
    # × 1,000 draws is 60 MB).
    ranks = np.empty((count, draws), dtype=np.uint16 if count < 2**16 else np.int32)
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        factors = rng.uniform(1 - spread, 1 + spread, size=(size, len(base)))
        drawn = base * factors  # size × indicators
        company_ranks = np.empty((size, count), dtype=ranks.dtype)
        position = np.empty((size, count), dtype=np.int8)
        # A few draws at a time, one row per draw: each block's scores stay in the
        # processor's cache while they are ranked and graded.
        for start in range(0, size, BLOCK):
            block = drawn[start : start + BLOCK]
            units = _whole_units(block @ filled.T, block @ present_weights.T, scale)
            for draw, scores in enumerate(units, start):
                rank_table = _rank_table(scores, top)
                company_ranks[draw] = rank_table.astype(ranks.dtype)[scores]
                for rows in members:
                    # One group holding every station: its ranks are the company's.
                    if len(rows) == count:
                        position[draw] = _positions(scores, method, top, scale, rank_table)
                    else:
                        position[draw, rows] = _positions(scores[rows], method, top, scale)
        ranks[:, done : done + size] = company_ranks.T
        np.maximum(position, limit, out=position)
        for grade in range(len(GRADE_ORDER)):
            grade_counts[:, grade] += np.count_nonzero(position == grade, axis=0)
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
            "perturbation": "weights × U(1 − spread, 1 + spread), independent per indicator",
            "spread": spread,
            "draws": draws,
            "seed": seed,
            "rank_interval": coverage,
            "method": method.as_record(),
            "peer_groups": len(members) if method.peer_groups else None,
            "capped_stations": int((limit > 0).sum()),
            "weights": {code: float(w) for code, w in zip(codes, base, strict=True)},
        },
    )


def _whole_units(weighted_sum: np.ndarray, weight_present: np.ndarray, scale: int) -> np.ndarray:
    """``round_half_up(weighted_sum / weight_present, decimals) · scale`` as integers,
    computed in place (the same operations in the same order as ``round_half_up``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.divide(weighted_sum, weight_present, out=weighted_sum)
    scores *= scale
    scores += 0.5
    scores += ROUNDING_TOLERANCE
    np.floor(scores, out=scores)
    return scores.astype(np.int64)


def _rank_table(units: np.ndarray, top: int) -> np.ndarray:
    """For every whole-unit score 0 … top − 1, its competition rank among ``units`` (one
    draw's scores): one plus how many of them are strictly higher. Found from a
    histogram, without sorting; ``table[units]`` gives every station's rank."""
    histogram = np.bincount(units, minlength=top)
    higher = np.cumsum(histogram[::-1])[::-1] - histogram  # strictly above
    return higher + 1


def _positions(
    units: np.ndarray,
    method: ScoringMethod,
    top: int,
    scale: int,
    rank_table: np.ndarray | None = None,
) -> np.ndarray:
    """Grade positions (0 red … 4 yellow) of one group's scores in one draw
    (``rank_table``: the group's ``_rank_table`` when already known)."""
    if method.grading == QUOTAS:
        rank_table = _rank_table(units, top) if rank_table is None else rank_table
        cutoffs = quota_cutoffs(len(units), method.quotas_pct)
        # grades_for_ranks: the first grade whose cut-off is at least the rank, i.e. the
        # number of cut-offs below it; found once per score, then looked up per station.
        table = np.searchsorted(cutoffs[:-1], rank_table, side="left").astype(np.int8)
        return table[units]
    if method.grading == NATURAL_BREAKS:
        scores = units / scale
        thresholds = natural_break_thresholds(np.sort(scores), method.decimals)
        return grade_positions(scores, thresholds, method.decimals).astype(np.int8)
    return _threshold_table(method.thresholds, scale, top)[units]


@lru_cache(maxsize=8)
def _threshold_table(thresholds: tuple[float, ...], scale: int, top: int) -> np.ndarray:
    """The grade position of every whole-unit score 0 … top − 1 under fixed thresholds:
    falling thresholds, so the number a score is below is its grade position."""
    cuts = np.rint(np.asarray(thresholds) * scale)
    table = (np.arange(top)[:, None] < cuts[None, :]).sum(axis=1).astype(np.int8)
    table.flags.writeable = False  # shared by every call with these thresholds
    return table


def colour_is_uncertain(shares: Mapping[str, float], grade: str, certain_share: float) -> bool:
    """Whether a station's published grade came out in fewer than ``certain_share`` of
    the draws (``shares``: its share of draws per grade)."""
    return shares.get(grade, 0.0) < certain_share
