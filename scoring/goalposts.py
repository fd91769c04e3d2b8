"""Targets and floors: the scoring method's goalposts as an administrator sets them.

The engine stores each indicator's goalposts as (low, high) raw values and lets the
indicator's direction decide which end scores 100. People think in a *floor* (the value
that scores 0) and a *target* (the value that earns full marks): for a lower-is-better
indicator the floor is the higher number. This module turns one into the other, checks
the rule every pair keeps (the targets page and ``set_targets`` share it) and makes the
method with new targets, everything else kept.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from scoring.engine import ScoringMethod
from scoring.targets import as_goalposts


class Ranged(Protocol):
    """What the rule reads of an indicator (``indicators.models.Indicator`` has it)."""

    code: str
    min_value: float
    max_value: float

    @property
    def higher_is_better(self) -> bool: ...


@dataclass(frozen=True)
class Target:
    """One indicator's floor (scores 0) and target (scores 100), in its raw unit.
    ``named`` is False when the method names none and the valid range stands in."""

    floor: float
    target: float
    named: bool = True

    @property
    def pair(self) -> tuple[float, float]:
        return (self.floor, self.target)


def target_of(method: ScoringMethod, indicator: Ranged) -> Target:
    """The indicator's floor and target under the method: its goalposts, or the valid
    range when the method names none (as the engine does)."""
    bounds = method.goalposts_for(indicator.code)
    low, high = bounds or (indicator.min_value, indicator.max_value)
    floor, target = (low, high) if indicator.higher_is_better else (high, low)
    return Target(floor=float(floor), target=float(target), named=bounds is not None)


def targets_of(method: ScoringMethod, indicators: list) -> dict[str, Target]:
    """Indicator code → its floor and target under the method."""
    return {indicator.code: target_of(method, indicator) for indicator in indicators}


def with_targets(method: ScoringMethod, targets: dict[str, tuple[float, float]]) -> ScoringMethod:
    """The method with these indicators' goalposts replaced by (floor, target) pairs;
    every other setting, and the goalposts of the indicators not given, kept."""
    goalposts = dict(method.goalposts)
    goalposts.update(as_goalposts(targets))
    return dataclasses.replace(method, goalposts=tuple(sorted(goalposts.items())))


def target_error(indicator: Ranged, floor: float, target: float) -> str | None:
    """Why this floor and target cannot be the indicator's, or None: both finite, apart,
    the target on the good side of the floor, both within the valid range."""
    if not (math.isfinite(floor) and math.isfinite(target)):
        return _("the floor and the target must be finite numbers")
    if floor == target:
        return _("the floor and the target must differ (the floor scores 0, the target 100)")
    if indicator.higher_is_better and target < floor:
        return _(
            "higher is better, so the target (%(target)s) must be above the floor (%(floor)s)"
        ) % {"target": f"{target:.15g}", "floor": f"{floor:.15g}"}
    if not indicator.higher_is_better and target > floor:
        return _(
            "lower is better, so the target (%(target)s) must be below the floor (%(floor)s)"
        ) % {"target": f"{target:.15g}", "floor": f"{floor:.15g}"}
    low, high = indicator.min_value, indicator.max_value
    outside = [
        _("the %(which)s (%(value)s) is outside the valid range %(low)s to %(high)s")
        % {"which": which, "value": f"{value:.15g}", "low": f"{low:.15g}", "high": f"{high:.15g}"}
        for which, value in ((_("floor"), floor), (_("target"), target))
        if not low <= value <= high
    ]
    return "; ".join(outside) or None


def target_diff(before: ScoringMethod, after: ScoringMethod, indicators: list) -> list[dict]:
    """One row per indicator: its floor and target before and after, and whether either
    moved (a target named by neither method is the valid range in both: unchanged)."""
    rows = []
    for indicator in indicators:
        old, new = target_of(before, indicator), target_of(after, indicator)
        rows.append(
            {"indicator": indicator, "before": old, "after": new, "changed": old.pair != new.pair}
        )
    return rows


def relative_method_error(method: ScoringMethod, month: str) -> str | None:
    """Why targets cannot be set from a month graded by a relative method (None when the
    method is absolute): under min-max and the like they would not count, and saving
    them would re-grade every month for nothing."""
    if not method.relative:
        return None
    return _(
        "The grading rules in force from %(month)s are relative (%(label)s): targets count "
        "only under absolute scoring. Choose absolute scoring on the grading rules page "
        "first; its targets can then be changed here."
    ) % {"month": month, "label": method.label}
