"""Branch pairing (支部联建): each weak station with a strong station that is strong exactly
where it is weak (pure pandas/numpy/scipy, no Django).

The committee pairs yellow stations with red ones and green with orange (``PAIRING_RULE``):
two independent assignments a month. Each maximises the total *benefit* over all pairs at
once (``scipy.optimize.linear_sum_assignment``), not station by station: a greedy choice
can give one station the partner that was the only help for another.

Benefit of pairing weak station w with strong station s, from the month's normalised
values (0–100, higher is better)::

    benefit(w, s) = Σ_i share_i · gap_i(w) · lead_i(w, s) / 100

- ``share_i``: the indicator's weight ÷ the sum of the positive weights;
- ``gap_i(w) = max(0, median_i − w_i)``: how far w is below the company median (over every
  station given that has a value);
- ``lead_i(w, s) = max(0, s_i − w_i)``: how far s is ahead of w there.

An indicator adds something only where w is below the median *and* s is ahead of w. A
missing value (NaN) is neither a weakness nor a strength: an indicator w or s has no value
for, or that no station has, adds nothing to their pair. The benefit is on a 0–100 scale
(100: w at 0 where the median is 100, on every indicator, and s at 100), rounded to
``BENEFIT_DECIMALS``. It grows with the gap, so when partners run short the stations
furthest below the median get them first.

Tie-break: distance. Of the pairings with the highest total benefit (at that precision), the
proposal is one with the shortest total distance (haversine, km). A pair costs
``−benefit + ε · km``, with ε so small that all the distances of a pairing add up to less
than half a benefit step: distance decides only between equal benefits. A station without
coordinates counts as farther than any other.

Sizes: a weak station gets at most one partner, a strong station at most ``capacity``
(default 1; its column is repeated ``capacity`` times). The stations left over are listed
as unpaired with the reason; an unpaired weak station also names the partner that would
help it most, for the committee to pair it by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from scoring.engine.grades import GREEN, ORANGE, RED, YELLOW

#: (weak grade, strong grade): yellow stations pair with red ones, green with orange.
PAIRING_RULE: tuple[tuple[str, str], ...] = ((YELLOW, RED), (GREEN, ORANGE))
#: Benefits are compared, and pairings optimised, at this precision.
BENEFIT_DECIMALS = 4
BENEFIT_STEP = 10.0**-BENEFIT_DECIMALS
#: How many indicators a pair's reason lists at most.
REASONS_SHOWN = 3
EARTH_RADIUS_KM = 6371.0

# Why a station has no partner.
NO_PARTNER_GRADE = "no_partner_grade"  # no station of the other colour this month
PARTNERS_FULL = "partners_full"  # weak: every strong station has its capacity of partners
NOT_NEEDED = "not_needed"  # strong: every weak station already has a partner


@dataclass(frozen=True)
class BenefitRule:
    """What a pair's benefit is computed from: the counted indicators (positive weight),
    their weight shares and the company medians of the month (NaN: nobody has a value)."""

    codes: tuple[str, ...]
    shares: tuple[float, ...]
    medians: tuple[float, ...]

    @classmethod
    def for_month(
        cls, normalised: pd.DataFrame, weights: pd.Series, medians: pd.Series | None = None
    ) -> BenefitRule:
        """``medians``: per indicator, to use instead of the medians of ``normalised``."""
        codes = [code for code in normalised.columns if weights.get(code, 0) > 0]
        if not codes:
            raise ValueError("no indicator of the month has a positive weight")
        counted = weights.reindex(codes).to_numpy(dtype=float)
        if medians is None:
            medians = normalised[codes].median(skipna=True)
        return cls(
            codes=tuple(codes),
            shares=tuple((counted / counted.sum()).tolist()),
            medians=tuple(medians.reindex(codes).to_numpy(dtype=float).tolist()),
        )

    def values(self, normalised: pd.DataFrame, stations: Sequence[Hashable]) -> np.ndarray:
        """Stations × counted indicators (NaN: no value, or a station not in the month)."""
        return normalised.reindex(index=list(stations), columns=list(self.codes)).to_numpy(
            dtype=float
        )

    def parts(self, weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
        """Each indicator's part of the benefit (unrounded) of pairs given row by row:
        ``share · gap · lead / 100``, 0 where a value or the median is missing."""
        return self._scaled_gaps(weak) * np.fmax(strong - weak, 0.0)  # fmax: NaN → 0

    def pair_benefits(self, weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
        """The benefit of pairs given row by row (weak and strong: pairs × indicators)."""
        return _rounded_sum(self.parts(weak, strong))

    def matrix(self, weak: np.ndarray, strong: np.ndarray) -> np.ndarray:
        """The benefit of every (weak, strong) pair: weak × strong.

        Adds the indicators one at a time, in the order ``pair_benefits`` does, so that a
        pair's benefit is the same to the last bit whichever way it was computed."""
        gaps = self._scaled_gaps(weak)
        total = np.zeros((len(weak), len(strong)))
        part = np.empty_like(total)  # one buffer: no new 600 × 600 array per indicator
        for i in range(len(self.codes)):
            np.subtract(strong[None, :, i], weak[:, i, None], out=part)
            np.fmax(part, 0.0, out=part)
            part *= gaps[:, i, None]
            total += part
        return np.round(total, BENEFIT_DECIMALS, out=total)

    def _scaled_gaps(self, weak: np.ndarray) -> np.ndarray:
        gaps = np.fmax(np.asarray(self.medians) - weak, 0.0)
        return gaps * np.asarray(self.shares) / 100.0


def _rounded_sum(parts: np.ndarray) -> np.ndarray:
    total = np.zeros(parts.shape[:-1])
    for i in range(parts.shape[-1]):
        total += parts[..., i]
    return np.round(total, BENEFIT_DECIMALS)


@dataclass(frozen=True)
class Strength:
    """One line of a pair's reason: an indicator where the weak station is below the
    company median and its partner is ahead of it."""

    indicator: str
    weak_value: float
    strong_value: float
    median: float
    benefit: float  # this indicator's part of the pair's benefit (unrounded)


@dataclass(frozen=True)
class Pair:
    weak: Hashable
    strong: Hashable
    weak_grade: str
    strong_grade: str
    benefit: float
    distance_km: float | None  # None: a station has no coordinates
    #: The indicators that make the benefit, largest part first (at most ``reasons``);
    #: empty when the partner is ahead nowhere the weak station lags (benefit 0).
    reasons: tuple[Strength, ...]


@dataclass(frozen=True)
class Unpaired:
    station: Hashable
    grade: str
    partner_grade: str
    reason: str  # NO_PARTNER_GRADE, PARTNERS_FULL (weak) or NOT_NEEDED (strong)
    #: A weak station left over: the strong station that would help it most (already
    #: paired), and that benefit, for the committee to pair by hand.
    best_partner: Hashable | None = None
    best_benefit: float | None = None


@dataclass(frozen=True)
class PairingProposal:
    """Pairs of both assignments (yellow–red first, then green–orange; within each in the
    order of the grades given), the stations left over, and the rule that scored them."""

    pairs: tuple[Pair, ...]
    unpaired: tuple[Unpaired, ...]
    total_benefit: float
    rule: BenefitRule
    capacity: int

    def as_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """(weak, strong) of every pair: where a committee's edit starts from."""
        return [(pair.weak, pair.strong) for pair in self.pairs]

    def grades(self) -> dict[Hashable, str]:
        """The grade of every station the proposal considered."""
        found = {left.station: left.grade for left in self.unpaired}
        for pair in self.pairs:
            found[pair.weak], found[pair.strong] = pair.weak_grade, pair.strong_grade
        return found


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (broadcasting; NaN where a coordinate is missing)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix(
    coordinates: pd.DataFrame | None, weak: Sequence[Hashable], strong: Sequence[Hashable]
) -> np.ndarray:
    """km between every weak and strong station (NaN without coordinates)."""
    if coordinates is None:
        return np.full((len(weak), len(strong)), np.nan)
    columns = ["latitude", "longitude"]
    here = coordinates.reindex(index=list(weak), columns=columns).to_numpy(dtype=float)
    there = coordinates.reindex(index=list(strong), columns=columns).to_numpy(dtype=float)
    return haversine_km(here[:, None, 0], here[:, None, 1], there[None, :, 0], there[None, :, 1])


def optimal_assignment(
    benefit: np.ndarray, distance: np.ndarray, capacity: int = 1
) -> list[tuple[int, int]]:
    """(row, column) pairs: every row (weak) at most once, every column (strong) at most
    ``capacity`` times, as many pairs as fit; the highest total benefit, then the shortest
    total distance. ``benefit`` must be rounded to ``BENEFIT_DECIMALS``; a NaN distance
    counts as 1 km longer than the longest known one."""
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    rows, columns = benefit.shape
    if rows == 0 or columns == 0:
        return []
    known = distance[~np.isnan(distance)]
    unknown = (float(known.max()) if known.size else 0.0) + 1.0  # farther than any known
    distance = np.where(np.isnan(distance), unknown, distance)
    pairs = min(rows, columns * capacity)
    # Every pairing's distances add up to at most pairs · ε · unknown < half a step.
    epsilon = BENEFIT_STEP / (2 * pairs * (unknown + 1.0))
    cost = np.repeat(epsilon * distance - benefit, capacity, axis=1)
    found_rows, found_columns = linear_sum_assignment(cost)
    return [
        (int(row), int(column) // capacity)
        for row, column in zip(found_rows, found_columns, strict=True)
    ]


def propose_pairing(
    normalised: pd.DataFrame,
    grades: pd.Series,
    weights: pd.Series,
    *,
    coordinates: pd.DataFrame | None = None,
    capacity: int = 1,
    medians: pd.Series | None = None,
    reasons: int = REASONS_SHOWN,
) -> PairingProposal:
    """The month's proposed branch pairing.

    ``normalised``: station × indicator, 0–100, higher is better, NaN allowed (every
    station of the month: the medians are theirs). ``grades``: station → grade; only
    yellow, red, green and orange stations take part. ``weights``: indicator → weight.
    ``coordinates``: station → ``latitude``, ``longitude`` (degrees), for the tie-break.
    ``capacity``: how many weak stations one strong station may take.
    ``medians``: per indicator, instead of the medians of ``normalised``."""
    rule = BenefitRule.for_month(normalised, weights, medians)
    pairs: list[Pair] = []
    unpaired: list[Unpaired] = []
    for weak_grade, strong_grade in PAIRING_RULE:
        found, left = _pair_grades(
            rule,
            normalised,
            list(grades.index[grades == weak_grade]),
            list(grades.index[grades == strong_grade]),
            (weak_grade, strong_grade),
            coordinates,
            capacity,
            reasons,
        )
        pairs.extend(found)
        unpaired.extend(left)
    total = float(np.round(sum(pair.benefit for pair in pairs), BENEFIT_DECIMALS))
    return PairingProposal(
        pairs=tuple(pairs),
        unpaired=tuple(unpaired),
        total_benefit=total,
        rule=rule,
        capacity=capacity,
    )


def _pair_grades(
    rule: BenefitRule,
    normalised: pd.DataFrame,
    weak: list[Hashable],
    strong: list[Hashable],
    grades: tuple[str, str],
    coordinates: pd.DataFrame | None,
    capacity: int,
    reasons: int,
) -> tuple[list[Pair], list[Unpaired]]:
    """One assignment: the weak stations of ``grades[0]`` with the strong of ``grades[1]``."""
    weak_grade, strong_grade = grades
    weak_values, strong_values = rule.values(normalised, weak), rule.values(normalised, strong)
    benefit = rule.matrix(weak_values, strong_values)
    distance = distance_matrix(coordinates, weak, strong)
    found = dict(optimal_assignment(benefit, distance, capacity))
    pairs, unpaired = [], []
    for row, station in enumerate(weak):
        column = found.get(row)
        if column is None:
            unpaired.append(_left_over_weak(station, grades, strong, benefit[row], distance[row]))
            continue
        parts = rule.parts(weak_values[row], strong_values[column])
        pairs.append(
            Pair(
                weak=station,
                strong=strong[column],
                weak_grade=weak_grade,
                strong_grade=strong_grade,
                benefit=float(benefit[row, column]),
                distance_km=_km(distance[row, column]),
                reasons=_reasons(rule, parts, weak_values[row], strong_values[column], reasons),
            )
        )
    taken = set(found.values())
    unpaired.extend(
        Unpaired(
            station=station,
            grade=strong_grade,
            partner_grade=weak_grade,
            reason=NOT_NEEDED if weak else NO_PARTNER_GRADE,
        )
        for column, station in enumerate(strong)
        if column not in taken
    )
    return pairs, unpaired


def _left_over_weak(
    station: Hashable,
    grades: tuple[str, str],
    strong: list[Hashable],
    benefit: np.ndarray,
    distance: np.ndarray,
) -> Unpaired:
    """``benefit`` and ``distance``: the station's row, one value per strong station."""
    if not strong:
        return Unpaired(station, *grades, NO_PARTNER_GRADE)
    # The most benefit, then the nearest (unknown distances last), then the first given.
    best = int(np.lexsort((np.nan_to_num(distance, nan=np.inf), -benefit))[0])
    return Unpaired(station, *grades, PARTNERS_FULL, strong[best], float(benefit[best]))


def _reasons(
    rule: BenefitRule, parts: np.ndarray, weak: np.ndarray, strong: np.ndarray, shown: int
) -> tuple[Strength, ...]:
    order = np.argsort(-parts, kind="stable")  # largest part first; ties in indicator order
    return tuple(
        Strength(
            indicator=rule.codes[i],
            weak_value=float(weak[i]),
            strong_value=float(strong[i]),
            median=rule.medians[i],
            benefit=float(parts[i]),
        )
        for i in order[:shown]
        if parts[i] > 0
    )


def pair_reasons(
    rule: BenefitRule,
    normalised: pd.DataFrame,
    weak: Hashable,
    strong: Hashable,
    shown: int = REASONS_SHOWN,
) -> tuple[Strength, ...]:
    """The reason of any pair, as a proposal gives it (e.g. of a partner the committee
    chose itself): the indicators that make its benefit, largest part first."""
    values = rule.values(normalised, [weak, strong])
    parts = rule.parts(values[0], values[1])
    return _reasons(rule, parts, values[0], values[1], shown)


def _km(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True)
class PairingEvaluation:
    """A pairing (e.g. the committee's edit of the proposal) scored by the proposal's rule."""

    benefits: tuple[tuple[Hashable, Hashable, float], ...]  # (weak, strong, benefit) as given
    total_benefit: float
    optimal_benefit: float  # the proposal's total
    #: total ÷ optimal (None when the optimum is 0). Above 1 only when the pairing breaks
    #: the proposal's limits: see the three fields below.
    share: float | None
    off_rule: tuple[tuple[Hashable, Hashable], ...]  # not yellow–red or green–orange
    weak_repeated: tuple[Hashable, ...]  # weak stations given more than one partner
    over_capacity: tuple[Hashable, ...]  # strong stations with more than ``capacity``


def evaluate_pairing(
    pairs: Iterable[tuple[Hashable, Hashable]],
    normalised: pd.DataFrame,
    proposal: PairingProposal,
) -> PairingEvaluation:
    """Score ``pairs`` (weak, strong) with the proposal's weights and medians, against
    the proposal's total. A station missing from ``normalised`` adds no benefit."""
    pairs = list(pairs)
    rule = proposal.rule
    weak = rule.values(normalised, [pair[0] for pair in pairs])
    strong = rule.values(normalised, [pair[1] for pair in pairs])
    benefits = rule.pair_benefits(weak, strong).tolist() if pairs else []
    total = float(np.round(sum(benefits), BENEFIT_DECIMALS))
    optimal = proposal.total_benefit
    grades = proposal.grades()
    allowed = set(PAIRING_RULE)
    weak_counts = Counter(pair[0] for pair in pairs)
    strong_counts = Counter(pair[1] for pair in pairs)
    return PairingEvaluation(
        benefits=tuple((w, s, benefit) for (w, s), benefit in zip(pairs, benefits, strict=True)),
        total_benefit=total,
        optimal_benefit=optimal,
        share=total / optimal if optimal > 0 else None,
        off_rule=tuple((w, s) for w, s in pairs if (grades.get(w), grades.get(s)) not in allowed),
        weak_repeated=tuple(station for station, n in weak_counts.items() if n > 1),
        over_capacity=tuple(
            station for station, n in strong_counts.items() if n > proposal.capacity
        ),
    )
