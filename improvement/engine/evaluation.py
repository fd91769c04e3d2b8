"""A pairing the committee chose (e.g. its edit of the proposal) scored by the proposal's
rule (pure numpy, no Django)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from improvement.engine.benefit import BENEFIT_DECIMALS
from improvement.engine.pairing import PAIRING_RULE, PairingProposal


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
