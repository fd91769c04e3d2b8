"""The assignment of one pairing at any size (pure numpy/scipy, no Django): dense up to
``DENSE_UP_TO`` stations a side, a sparse proposal above.

Dense (``assignment.optimal_assignment``): every weak × strong benefit in one matrix and
``linear_sum_assignment``; exact, but its time grows with the cube of the side and its
memory with the square (6,000 × 6,000: about 70 s and 1.8 GB).

Sparse: each weak station keeps only its ``candidates`` best partners (the most benefit,
then the nearest, then the first given: the proposal's own order) and its ``candidates``
best by benefit less the partner's *price* (``_prices``: what the partner is worth to the
other weak stations, the dual values of an evenly spread sample's optimal assignment;
without them every weak station's best are the same few strongest stations). They are
found ``BLOCK_ROWS`` weak stations at a time by a partial sort of the block's benefits,
never the whole matrix. The assignment is then solved on that sparse graph: up to
``EXACT_UP_TO`` stations on the smaller side exactly
(``scipy.sparse.csgraph.min_weight_full_bipartite_matching``, with the same cost
``−benefit + ε · km`` and, for each station of the smaller side, the option of no partner
at a cost above any pair's), above by an auction (``_auction``: near-optimal, without the
distance tie-break; the exact solver's time grows quickly past a few thousand a side).
Weak stations whose candidates were all taken while strong stations are still free are
paired again, among those left, until one side is used up, so the sides end as the dense
assignment leaves them. Memory grows with ``side × candidates``; time with one pass over
the benefits (block by block) and the sparse graph.

What the sparse proposal can lose, and when it loses nothing:

- A pair of the dense optimum is missing only where the partner is outside the weak
  station's ``candidates`` best, so its benefit is at most the weak station's next
  benefit (the ``candidates + 1``-th largest). The dense optimum is therefore at most the
  sparse total plus the sum of the largest such next benefits (as many as there are
  pairs), at most the sum of every weak station's best benefit, and at most the matching
  LP's dual bound from the prices (``_dual_bound``): the least of the three is
  ``Assignment.bound``.
- When ``candidates × capacity`` reaches the number of weak stations, some candidate of
  each weak station is always free in any pairing, so an optimal pairing uses only
  candidates: the sparse proposal is the dense one (same total benefit, same total
  distance; ``exact``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from improvement.engine.assignment import haversine_km, optimal_assignment
from improvement.engine.benefit import BENEFIT_DECIMALS, BENEFIT_STEP, BenefitRule

#: Up to this many stations on both sides, the dense (exact) assignment.
DENSE_UP_TO = 1_000
#: How many best partners (by benefit, and as many by benefit less price) each weak station
#: keeps in a sparse proposal.
CANDIDATES = 40
#: Weak stations scanned at once: a block × every strong station of benefits in memory.
BLOCK_ROWS = 32
#: Candidate pairs whose benefits are computed at once.
EDGE_PIECE = 32_768
#: Up to this many stations on the smaller side, the sparse graph's optimal matching
#: (``min_weight_full_bipartite_matching``); above, the auction (``_auction``).
EXACT_UP_TO = 2_000
#: The auction's ε, largest first (benefits are on a 0–100 scale, steps of 0.0001).
AUCTION_EPSILONS = (0.05, 0.005, 0.001)
#: An auction round of ε stops when this few bidders are free (left to the next round of
#: ε, or after the last to the leftovers' exact assignment).
AUCTION_LEFT = 50
#: Weak stations (and as many strong ones, in proportion) whose optimal assignment prices
#: the strong stations for the sparse proposal's second set of candidates.
PRICE_SAMPLE = 600


@dataclass(frozen=True)
class Assignment:
    """(weak row, strong column) pairs; ``sparse``: whether candidates were used;
    ``exact``: whether the pairs are provably the dense optimum; ``bound``: the dense
    optimum's total benefit is at most this (the total itself when exact)."""

    pairs: list[tuple[int, int]]
    sparse: bool
    exact: bool
    bound: float


def assign(
    rule: BenefitRule,
    weak: np.ndarray,
    strong: np.ndarray,
    here: np.ndarray,
    there: np.ndarray,
    capacity: int | np.ndarray = 1,
    *,
    candidates: int = CANDIDATES,
    dense_up_to: int = DENSE_UP_TO,
) -> Assignment:
    """The assignment of ``weak`` to ``strong`` stations (their counted values, stations ×
    indicators; ``here``/``there``: their latitude and longitude, NaN when unknown);
    ``capacity``: per strong station, or one for all."""
    if candidates < 1:
        raise ValueError("candidates must be at least 1")
    slots = np.broadcast_to(np.asarray(capacity, dtype=int), (len(strong),)).copy()
    if len(weak) == 0 or len(strong) == 0:
        return Assignment([], sparse=False, exact=True, bound=0.0)
    if max(len(weak), len(strong)) <= dense_up_to:
        found = _dense(rule, weak, strong, here, there, slots)
        return Assignment(found, sparse=False, exact=True, bound=_total(rule, weak, strong, found))
    found, exact, lost, best = _sparse_round(rule, weak, strong, here, there, slots, candidates)
    # Weak stations whose candidates were all taken: paired among the stations left.
    while True:
        used = np.bincount(np.array([c for _r, c in found], dtype=int), minlength=len(strong))
        free = slots - used
        rows = np.setdiff1d(np.arange(len(weak)), [r for r, _c in found])
        columns = np.flatnonzero(free > 0)
        if len(rows) == 0 or len(columns) == 0:
            break
        more = assign(
            rule,
            weak[rows],
            strong[columns],
            here[rows],
            there[columns],
            free[columns],
            candidates=candidates,
            dense_up_to=dense_up_to,
        )
        if not more.pairs:
            break
        found += [(int(rows[r]), int(columns[c])) for r, c in more.pairs]
    total = _total(rule, weak, strong, found)
    bound = total if exact else min(total + lost, best)
    return Assignment(found, sparse=True, exact=exact, bound=max(bound, total))


def _total(rule: BenefitRule, weak: np.ndarray, strong: np.ndarray, found) -> float:
    if not found:
        return 0.0
    rows, columns = np.array(found).T
    return float(np.round(rule.pair_benefits(weak[rows], strong[columns]).sum(), BENEFIT_DECIMALS))


def distances(here: np.ndarray, there: np.ndarray) -> np.ndarray:
    """km between every row of ``here`` and of ``there`` (NaN without coordinates)."""
    return haversine_km(here[:, None, 0], here[:, None, 1], there[None, :, 0], there[None, :, 1])


def _dense(rule, weak, strong, here, there, slots) -> list[tuple[int, int]]:
    return optimal_assignment(rule.matrix(weak, strong), distances(here, there), slots)


@dataclass
class _Candidates:
    rows: np.ndarray  # edge → weak row
    columns: np.ndarray  # edge → strong column
    benefit: np.ndarray  # edge → benefit (rounded, as the dense matrix has it)
    next_benefit: np.ndarray  # weak row → its (k + 1)-th largest benefit (0 if none)
    best_benefit: np.ndarray  # weak row → its largest benefit
    dual_bound: float  # the optimal total benefit is at most this (``_dual_bound``)


def _sparse_round(rule, weak, strong, here, there, slots, k):
    """One sparse assignment: (pairs, exact, what it may lose, Σ best benefits)."""
    found = _candidates(rule, weak, strong, here, there, slots, k)
    rows, columns = found.rows, found.columns
    n_weak, n_slots = len(weak), int(slots.sum())
    paired = min(n_weak, n_slots)
    exact_solver = min(n_weak, n_slots) <= EXACT_UP_TO
    if exact_solver:
        km = haversine_km(here[rows, 0], here[rows, 1], there[columns, 0], there[columns, 1])
        unknown = _farthest_known_km(here, there) + 1.0  # as the dense assignment counts it
        km = np.where(np.isnan(km), unknown, km)
        # Every pairing's distances and no-partner costs add up to less than half a step.
        epsilon = BENEFIT_STEP / (2 * paired * (unknown + 2.0))
        cost = epsilon * km - found.benefit
    else:  # the auction: no distances
        epsilon, cost = 0.0, -found.benefit
    # Each strong station's edges repeated once per slot.
    first_slot = np.concatenate([[0], np.cumsum(slots)[:-1]])
    repeat = slots[columns]
    edge_weak = np.repeat(rows, repeat)
    edge_slot = np.repeat(first_slot[columns], repeat) + _ranges(repeat)
    edge_cost = np.repeat(cost, repeat)
    # The smaller side is matched in full, as in the dense assignment.
    small, large = (edge_weak, edge_slot) if n_weak <= n_slots else (edge_slot, edge_weak)
    n_small, n_large = (n_weak, n_slots) if n_weak <= n_slots else (n_slots, n_weak)
    if exact_solver:
        matched_small, matched_large = _exact(small, large, edge_cost, n_small, n_large, epsilon)
    else:
        matched_small, matched_large = _auction(small, large, -edge_cost, n_small, n_large)
    weak_side, slot_side = (
        (matched_small, matched_large) if n_weak <= n_slots else (matched_large, matched_small)
    )
    owner = np.repeat(np.arange(len(strong)), slots)
    pairs = [(int(w), int(owner[slot])) for w, slot in zip(weak_side, slot_side, strict=True)]
    exact = (k >= len(strong) or k * int(slots.min()) >= n_weak) and n_small <= EXACT_UP_TO
    lost = float(np.sort(found.next_benefit)[::-1][:paired].sum())
    return pairs, exact, lost, min(float(found.best_benefit.sum()), found.dual_bound)


def _exact(small, large, cost, n_small: int, n_large: int, epsilon: float):
    """The optimal matching of the sparse graph (``min_weight_full_bipartite_matching``):
    each station of the smaller side may instead take a "no partner" column of its own,
    dearer than any pair (a pair costs at most ε · unknown), so a pair is always preferred
    where one is possible. (small, large) indices of the pairs."""
    every = np.arange(n_small)
    small = np.concatenate([small, every])
    large = np.concatenate([large, n_large + every])
    # Dearer than any pair, yet not below 0: a "no partner" must never gain benefit.
    cost = np.concatenate([cost, np.full(n_small, max(float(cost.max()), 0.0) + epsilon)])
    # Weights must be positive (a zero is no edge); the smaller side is matched in full,
    # so adding one constant to all of them changes nothing.
    cost = cost - cost.min() + 1.0
    graph = csr_matrix((cost, (small, large)), shape=(n_small, n_large + n_small))
    matched_small, matched_large = min_weight_full_bipartite_matching(graph)
    real = matched_large < n_large
    return matched_small[real], matched_large[real]


def _auction(bidders, objects, value, n_bidders: int, n_objects: int):
    """A near-optimal matching of the sparse graph by Bertsekas' auction (each free bidder
    bids for its best object by how much it prefers it to its second best, plus ε; ε
    shrinks from ``AUCTION_EPSILONS[0]`` to the last), for graphs too large for the exact
    solver (its time grows quickly past a few thousand stations a side). Within
    n · ε of the graph's optimum when every bidder can be matched; a bidder whose every
    object has become dearer than it is worth (by more than the largest benefit) takes
    none. The distance plays no part. (bidder, object) indices of the pairs."""
    order = np.lexsort((objects, bidders))
    bidders, objects, value = bidders[order], objects[order], value[order]
    starts = np.searchsorted(bidders, np.arange(n_bidders + 1))
    price = np.zeros(n_objects)
    alone_price = np.zeros(n_bidders)
    give_up = float(value.max()) + 1.0 if len(value) else 1.0
    left = AUCTION_LEFT if n_bidders > 10 * AUCTION_LEFT else 0
    for epsilon in AUCTION_EPSILONS:
        owner = np.full(n_objects, -1)
        held = np.full(n_bidders, -1)
        free = np.arange(n_bidders)
        # The last few are left to the leftovers' round (an exact assignment of the few
        # stations left): an auction's tail is long, one bidder displacing another.
        while len(free) > left:
            counts = starts[free + 1] - starts[free]
            edges = np.repeat(starts[free], counts) + _ranges(counts)
            of = np.repeat(np.arange(len(free)), counts)
            net = value[edges] - price[objects[edges]]
            best = np.full(len(free), -np.inf)
            np.maximum.at(best, of, net)
            top = np.full(len(free), len(edges))
            np.minimum.at(top, of[net == best[of]], np.flatnonzero(net == best[of]))
            has = top < len(edges)
            rest = net.copy()
            rest[top[has]] = -np.inf
            second = np.full(len(free), -np.inf)
            np.maximum.at(second, of, rest)
            alone = -give_up - alone_price[free]
            leave = ~has | (alone >= best)
            second = np.maximum(second, alone)
            alone_price[free[leave]] += epsilon  # alone for this round of ε
            stay = ~leave
            bidder, wanted = free[stay], objects[edges[top[stay]]]
            bid = price[wanted] + best[stay] - second[stay] + epsilon
            ranked = np.lexsort((bid, wanted))
            last = np.append(wanted[ranked][1:] != wanted[ranked][:-1], True)
            won = ranked[last] if len(ranked) else ranked
            target, winner = wanted[won], bidder[won]
            displaced = owner[target]
            price[target] = bid[won]
            owner[target] = winner
            held[winner] = target
            held[displaced[displaced >= 0]] = -1
            lost = np.ones(len(bidder), dtype=bool)
            lost[won] = False
            free = np.concatenate([displaced[displaced >= 0], bidder[lost]])
    matched = np.flatnonzero(held >= 0)
    return matched, held[matched]


def _ranges(counts: np.ndarray) -> np.ndarray:
    """0, 1, …, count − 1 for each count, concatenated."""
    ends = np.cumsum(counts)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)


def _prices(rule, weak, strong, slots) -> np.ndarray:
    """Each strong station's price: what taking it costs the others, estimated from the
    optimal assignment of an evenly spread sample of both sides (its dual values, by
    Bellman–Ford on the sample's costs), extended to every strong station as the least
    price at which no sampled weak station would rather have it than its own partner."""
    n_weak = len(weak)
    rows = np.unique(np.linspace(0, n_weak - 1, min(PRICE_SAMPLE, n_weak)).astype(int))
    wanted = max(1, round(len(rows) * len(strong) / n_weak))
    columns = np.unique(np.linspace(0, len(strong) - 1, min(wanted, len(strong))).astype(int))
    benefit = np.repeat(rule.matrix(weak[rows], strong[columns]), slots[columns], axis=1)
    matched_rows, matched = linear_sum_assignment(-benefit)
    # Dual values of the sample's slots: the shortest-path potentials of its costs.
    cost, price = -benefit[matched_rows], np.zeros(benefit.shape[1])
    own = cost[np.arange(len(matched_rows)), matched]
    for _sweep in range(len(matched_rows) + 1):
        better = np.minimum(price[matched], (price[None, :] + cost).min(axis=1) - own)
        if np.array_equal(better, price[matched]):
            break
        price[matched] = better
    keep = benefit[matched_rows, matched] - price[matched]  # each sampled row's own value
    sampled = weak[rows[matched_rows]]
    extended = np.full(len(strong), -np.inf)
    for start in range(0, len(sampled), BLOCK_ROWS):
        block = rule.matrix(sampled[start : start + BLOCK_ROWS], strong)
        block -= keep[start : start + BLOCK_ROWS, None]
        np.maximum(extended, block.max(axis=0), out=extended)
    return extended


def _candidates(rule, weak, strong, here, there, slots, k) -> _Candidates:
    """Each weak row's ``k`` best strong columns by benefit (ties at the k-th benefit: the
    nearest, unknown distances last, then the first given) and its ``k`` best by benefit
    less the column's price (``_prices``), scanning ``BLOCK_ROWS`` weak rows at a time."""
    n_weak, n_strong = len(weak), len(strong)
    k_row = min(k, n_strong)
    price = _prices(rule, weak, strong, slots)
    parts = []
    next_benefit = np.zeros(n_weak)
    best_benefit = np.zeros(n_weak)
    best_reduced = np.zeros(n_weak)
    for start in range(0, n_weak, BLOCK_ROWS):
        block = rule.matrix(weak[start : start + BLOCK_ROWS], strong)
        rows = np.arange(start, start + len(block))
        best_benefit[rows] = block.max(axis=1)
        reduced = block - price[None, :]
        best_reduced[rows] = reduced.max(axis=1)
        if k_row < n_strong:
            order = np.partition(-block, (k_row - 1, k_row), axis=1)
            kth, next_benefit[rows] = -order[:, k_row - 1], -order[:, k_row]
            chosen = block > kth[:, None]
            tied = block == kth[:, None]
            need = k_row - chosen.sum(axis=1)
            crowded = tied.sum(axis=1) > need
            for r in np.flatnonzero(crowded):
                chosen[r] |= _nearest(tied[r], need[r], here[start + r], there)
            chosen |= tied & ~crowded[:, None]
            cheap = np.argpartition(-reduced, k_row - 1, axis=1)[:, :k_row]
            np.put_along_axis(chosen, cheap, True, axis=1)
        else:
            chosen = np.ones_like(block, dtype=bool)
        block_rows, block_columns = np.nonzero(chosen)
        parts.append((block_rows + start, block_columns))
    rows = np.concatenate([part[0] for part in parts])
    columns = np.concatenate([part[1] for part in parts])
    pieces = [slice(at, at + EDGE_PIECE) for at in range(0, len(rows), EDGE_PIECE)]
    benefit = np.concatenate(  # in pieces: each piece copies its stations' values
        [rule.pair_benefits(weak[rows[at]], strong[columns[at]]) for at in pieces] or [np.zeros(0)]
    )
    dual = _dual_bound(best_reduced, price, slots)
    return _Candidates(rows, columns, benefit, next_benefit, best_benefit, dual)


def _dual_bound(best_reduced: np.ndarray, price: np.ndarray, slots: np.ndarray) -> float:
    """An upper bound of the optimal total benefit from any prices (the matching LP's
    dual): with q_s = price_s + c ≥ 0, every weak station is worth at most
    max(0, max_s benefit − q_s) and every strong station's slots q_s each; the best shift
    c is where as many weak stations gain from their best as there are slots."""
    floor = -float(price.min())
    ordered = np.sort(best_reduced)[::-1]
    n_slots = int(slots.sum())
    shift = max(floor, float(ordered[n_slots]) if n_slots < len(ordered) else floor)
    return float(np.maximum(best_reduced - shift, 0.0).sum() + (slots * (price + shift)).sum())


def _nearest(tied: np.ndarray, need: int, here: np.ndarray, there: np.ndarray) -> np.ndarray:
    """Of the columns ``tied``, the ``need`` nearest to ``here`` (unknown last; then the
    first given), as a mask."""
    columns = np.flatnonzero(tied)
    km = haversine_km(here[0], here[1], there[columns, 0], there[columns, 1])
    order = np.lexsort((columns, np.nan_to_num(km, nan=np.inf)))
    mask = np.zeros_like(tied)
    mask[columns[order[:need]]] = True
    return mask


def _farthest_known_km(here: np.ndarray, there: np.ndarray) -> float:
    """The longest distance between a weak and a strong station with coordinates (0 when
    there is none): the pair whose unit vectors have the smallest dot product, measured by
    ``haversine_km`` as the dense distances are."""
    one, other = here[~np.isnan(here).any(axis=1)], there[~np.isnan(there).any(axis=1)]
    if len(one) == 0 or len(other) == 0:
        return 0.0
    vectors, others = _unit(one), _unit(other)
    best, where = np.inf, (0, 0)
    for start in range(0, len(vectors), BLOCK_ROWS * 4):
        dots = vectors[start : start + BLOCK_ROWS * 4] @ others.T
        flat = int(np.argmin(dots))
        if dots.flat[flat] < best:
            best = dots.flat[flat]
            where = (start + flat // dots.shape[1], flat % dots.shape[1])
    a, b = one[where[0]], other[where[1]]
    return float(haversine_km(a[0], a[1], b[0], b[1]))


def _unit(points: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
