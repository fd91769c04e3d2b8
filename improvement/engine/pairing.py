"""Branch pairing (支部联建): each weak station with a strong station that is strong exactly
where it is weak (pure pandas/numpy/scipy, no Django).

The committee pairs yellow stations with red ones and green with orange (``PAIRING_RULE``):
two independent assignments a month. Each maximises the total *benefit* over all pairs at
once (``scipy.optimize.linear_sum_assignment``), not station by station: a greedy choice
can give one station the partner that was the only help for another.

Sizes: a weak station gets at most one partner, a strong station at most ``capacity``
(default 1; its column is repeated ``capacity`` times). The stations left over are listed
as unpaired with the reason; an unpaired weak station also names the partner that would
help it most, for the committee to pair it by hand.

What a pair is worth is ``engine.benefit``; the assignment and its distance tie-break are
``engine.assignment``; scoring the committee's own pairing is ``engine.evaluation``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from improvement.engine.assignment import distance_matrix, optimal_assignment
from improvement.engine.benefit import (
    BENEFIT_DECIMALS,
    REASONS_SHOWN,
    BenefitRule,
    Strength,
    strengths,
)
from scoring.engine.grades import GREEN, ORANGE, RED, YELLOW

#: (weak grade, strong grade): yellow stations pair with red ones, green with orange.
PAIRING_RULE: tuple[tuple[str, str], ...] = ((YELLOW, RED), (GREEN, ORANGE))

# Why a station has no partner.
NO_PARTNER_GRADE = "no_partner_grade"  # no station of the other colour this month
PARTNERS_FULL = "partners_full"  # weak: every strong station has its capacity of partners
NOT_NEEDED = "not_needed"  # strong: every weak station already has a partner


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
                reasons=strengths(rule, parts, weak_values[row], strong_values[column], reasons),
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


def _km(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
