"""What a branch pair is worth (pure pandas/numpy, no Django): its benefit, and the
indicators that make it (the pair's reason).

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
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Benefits are compared, and pairings optimised, at this precision.
BENEFIT_DECIMALS = 4
BENEFIT_STEP = 10.0**-BENEFIT_DECIMALS
#: How many indicators a pair's reason lists at most.
REASONS_SHOWN = 3


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


def strengths(
    rule: BenefitRule, parts: np.ndarray, weak: np.ndarray, strong: np.ndarray, shown: int
) -> tuple[Strength, ...]:
    """The indicators that make a pair's benefit (``parts``: each one's part), largest
    part first, at most ``shown``."""
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
    return strengths(rule, parts, values[0], values[1], shown)
