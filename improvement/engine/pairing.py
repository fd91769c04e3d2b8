"""Branch pairing (支部联建): each weak station with a strong station that is strong exactly
where it is weak (pure pandas/numpy/scipy, no Django).

The committee pairs yellow stations with red ones and green with orange (``PAIRING_RULE``):
two independent assignments a month, within one company (a proposal is one company's
month) and, when groups are given (counties), within each group. Each maximises the total
*benefit* over all pairs at once (``scipy.optimize.linear_sum_assignment``), not station
by station: a greedy choice can give one station the partner that was the only help for
another.

Sizes: a weak station gets at most one partner, a strong station at most ``capacity``
(default 1; its column is repeated ``capacity`` times). The stations left over are listed
as unpaired with the reason; an unpaired weak station also names the partner that would
help it most, for the committee to pair it by hand.

What a pair is worth is ``engine.benefit``; the assignment and its distance tie-break are
``engine.assignment``; above ``DENSE_UP_TO`` stations a side, each weak station is offered
only its best candidates (``engine.sparse``, with what that can cost); scoring the
committee's own pairing is ``engine.evaluation``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from improvement.engine.assignment import haversine_km
from improvement.engine.benefit import (
    BENEFIT_DECIMALS,
    REASONS_SHOWN,
    BenefitRule,
    Strength,
    strengths,
)
from improvement.engine.sparse import CANDIDATES, DENSE_UP_TO, Assignment, assign, distances
from scoring.engine.grades import GREEN, ORANGE, RED, YELLOW

#: (weak grade, strong grade): yellow stations pair with red ones, green with orange.
PAIRING_RULE: tuple[tuple[str, str], ...] = ((YELLOW, RED), (GREEN, ORANGE))

# Why a station has no partner.
NO_PARTNER_GRADE = "no_partner_grade"  # no station of the other colour this month
PARTNERS_FULL = "partners_full"  # weak: every strong station has its capacity of partners
NOT_NEEDED = "not_needed"  # strong: every weak station already has a partner
#: Pairing within groups (counties): none of the other colour in the station's group.
NO_PARTNER_IN_GROUP = "no_partner_in_group"


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
    #: NO_PARTNER_GRADE, NO_PARTNER_IN_GROUP, PARTNERS_FULL (weak) or NOT_NEEDED (strong);
    #: within groups, PARTNERS_FULL and NOT_NEEDED are of the station's group.
    reason: str
    #: A weak station left over: the strong station that would help it most (already
    #: paired), and that benefit, for the committee to pair by hand.
    best_partner: Hashable | None = None
    best_benefit: float | None = None


@dataclass(frozen=True)
class PairingProposal:
    """Pairs of both assignments (yellow–red first, then green–orange; within each in the
    order of the grades given), the stations left over, and the rule that scored them.

    ``sparse``: some assignment offered each weak station only its ``candidates`` best
    partners; ``exact``: the pairs are provably optimal (always, when dense);
    ``optimum_bound``: the optimal total benefit is at most this (``total_benefit`` when
    exact). ``within_groups``: pairs were made only within groups (counties)."""

    pairs: tuple[Pair, ...]
    unpaired: tuple[Unpaired, ...]
    total_benefit: float
    rule: BenefitRule
    capacity: int
    within_groups: bool = False
    sparse: bool = False
    exact: bool = True
    optimum_bound: float = 0.0
    candidates: int = CANDIDATES

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
    groups: pd.Series | None = None,
    candidates: int = CANDIDATES,
    dense_up_to: int = DENSE_UP_TO,
) -> PairingProposal:
    """The month's proposed branch pairing.

    ``normalised``: station × indicator, 0–100, higher is better, NaN allowed (every
    station of the month: the medians are theirs). ``grades``: station → grade; only
    yellow, red, green and orange stations take part. ``weights``: indicator → weight.
    ``coordinates``: station → ``latitude``, ``longitude`` (degrees), for the tie-break.
    ``capacity``: how many weak stations one strong station may take.
    ``medians``: per indicator, instead of the medians of ``normalised``.
    ``groups``: station → group (e.g. its county): pairs only within a group; a station
    without one pairs with no one. ``candidates``, ``dense_up_to``: above ``dense_up_to``
    stations on a side of an assignment, each weak station is offered only its
    ``candidates`` best partners (``engine.sparse``)."""
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    rule = BenefitRule.for_month(normalised, weights, medians)
    pairs: list[Pair] = []
    unpaired: list[Unpaired] = []
    outcomes: list[Assignment] = []
    for weak_grade, strong_grade in PAIRING_RULE:
        side = _Side(
            rule,
            list(grades.index[grades == weak_grade]),
            list(grades.index[grades == strong_grade]),
            (weak_grade, strong_grade),
            normalised,
            coordinates,
        )
        found, left, done = side.pair(groups, capacity, reasons, candidates, dense_up_to)
        pairs.extend(found)
        unpaired.extend(left)
        outcomes.extend(done)
    total = float(np.round(sum(pair.benefit for pair in pairs), BENEFIT_DECIMALS))
    bound = float(np.round(sum(outcome.bound for outcome in outcomes), BENEFIT_DECIMALS))
    return PairingProposal(
        pairs=tuple(pairs),
        unpaired=tuple(unpaired),
        total_benefit=total,
        rule=rule,
        capacity=capacity,
        within_groups=groups is not None,
        sparse=any(outcome.sparse for outcome in outcomes),
        exact=all(outcome.exact for outcome in outcomes),
        optimum_bound=max(bound, total),
        candidates=candidates,
    )


class _Side:
    """One assignment: the weak stations of ``grades[0]`` with the strong of ``grades[1]``."""

    def __init__(
        self,
        rule: BenefitRule,
        weak: list[Hashable],
        strong: list[Hashable],
        grades: tuple[str, str],
        normalised: pd.DataFrame,
        coordinates: pd.DataFrame | None,
    ) -> None:
        self.rule, self.weak, self.strong, self.grades = rule, weak, strong, grades
        self.weak_values = rule.values(normalised, weak)
        self.strong_values = rule.values(normalised, strong)
        self.here = coordinate_array(coordinates, weak)
        self.there = coordinate_array(coordinates, strong)

    def pair(self, groups, capacity, reasons, candidates, dense_up_to):
        found: dict[int, int] = {}
        outcomes: list[Assignment] = []
        lonely_weak: set[int] = set()  # rows whose group has no strong station
        lonely_strong: set[int] = set()
        group_columns: dict[int, np.ndarray] = {}  # weak row → its group's strong columns
        for rows, columns in self._groups(groups):
            if len(rows) == 0 or len(columns) == 0:
                lonely_weak.update(rows.tolist())
                lonely_strong.update(columns.tolist())
                continue
            outcome = assign(
                self.rule,
                self.weak_values[rows],
                self.strong_values[columns],
                self.here[rows],
                self.there[columns],
                capacity,
                candidates=candidates,
                dense_up_to=dense_up_to,
            )
            outcomes.append(outcome)
            found.update((int(rows[r]), int(columns[c])) for r, c in outcome.pairs)
            group_columns.update(dict.fromkeys(rows.tolist(), columns))
        grouped = groups is not None
        pairs = self._pairs(found, reasons)
        unpaired = [
            self._left_over_weak(row, group_columns.get(row), grouped)
            for row in range(len(self.weak))
            if row not in found
        ]
        taken = set(found.values())
        unpaired.extend(
            Unpaired(
                station=station,
                grade=self.grades[1],
                partner_grade=self.grades[0],
                reason=self._strong_reason(column in lonely_strong, grouped),
            )
            for column, station in enumerate(self.strong)
            if column not in taken
        )
        return pairs, unpaired, outcomes

    def _groups(self, groups: pd.Series | None):
        """(weak rows, strong columns) of each group."""
        every_weak, every_strong = np.arange(len(self.weak)), np.arange(len(self.strong))
        if groups is None:
            yield every_weak, every_strong
            return
        weak_groups = groups.reindex(self.weak).to_numpy(dtype=object)
        strong_groups = groups.reindex(self.strong).to_numpy(dtype=object)
        keys = {
            key: None for key in [*weak_groups, *strong_groups] if not pd.isna(key)
        }  # in the order first met
        for key in keys:
            yield every_weak[weak_groups == key], every_strong[strong_groups == key]
        # A station without a group pairs with no one.
        yield every_weak[pd.isna(weak_groups)], np.array([], dtype=int)
        yield np.array([], dtype=int), every_strong[pd.isna(strong_groups)]

    def _pairs(self, found: dict[int, int], reasons: int) -> list[Pair]:
        rows = np.array(sorted(found), dtype=int)
        columns = np.array([found[row] for row in rows], dtype=int)
        weak, strong = self.weak_values[rows], self.strong_values[columns]
        benefits = self.rule.pair_benefits(weak, strong)
        km = haversine_km(
            self.here[rows, 0], self.here[rows, 1], self.there[columns, 0], self.there[columns, 1]
        )
        pairs = []
        for n, (row, column) in enumerate(zip(rows, columns, strict=True)):
            parts = self.rule.parts(weak[n], strong[n])
            pairs.append(
                Pair(
                    weak=self.weak[row],
                    strong=self.strong[column],
                    weak_grade=self.grades[0],
                    strong_grade=self.grades[1],
                    benefit=float(benefits[n]),
                    distance_km=_km(km[n]),
                    reasons=strengths(self.rule, parts, weak[n], strong[n], reasons),
                )
            )
        return pairs

    def _left_over_weak(self, row: int, columns: np.ndarray | None, grouped: bool) -> Unpaired:
        """A weak station without a partner; ``columns``: the strong stations it could
        have had (None: none in its group)."""
        station = self.weak[row]
        if columns is None:
            reason = NO_PARTNER_IN_GROUP if grouped and self.strong else NO_PARTNER_GRADE
            return Unpaired(station, self.grades[0], self.grades[1], reason)
        benefit = self.rule.matrix(self.weak_values[row : row + 1], self.strong_values[columns])[0]
        distance = distances(self.here[row : row + 1], self.there[columns])[0]
        # The most benefit, then the nearest (unknown distances last), then the first given.
        best = int(np.lexsort((np.nan_to_num(distance, nan=np.inf), -benefit))[0])
        return Unpaired(
            station,
            self.grades[0],
            self.grades[1],
            PARTNERS_FULL,
            self.strong[columns[best]],
            float(benefit[best]),
        )

    def _strong_reason(self, lonely: bool, grouped: bool) -> str:
        if not self.weak:
            return NO_PARTNER_GRADE
        return NO_PARTNER_IN_GROUP if grouped and lonely else NOT_NEEDED


def coordinate_array(coordinates: pd.DataFrame | None, stations: list[Hashable]) -> np.ndarray:
    """Stations × (latitude, longitude), NaN where unknown."""
    if coordinates is None:
        return np.full((len(stations), 2), np.nan)
    return coordinates.reindex(index=stations, columns=["latitude", "longitude"]).to_numpy(
        dtype=float
    )


def _km(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
