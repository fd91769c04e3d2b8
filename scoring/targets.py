"""The seeded target and floor of each of the ten indicators (absolute scoring).

Under absolute scoring an indicator's raw value is placed between its *floor* (the
value that scores 0) and its *target* (the value that earns full marks, 100); values
beyond either end are clipped. For an indicator where lower is better the floor is the
higher number. These are the values a new company starts with (its method version 1);
administrators replace them with the company's own plan values, as a new version with
who, why and from which month (``/manage/targets/``, ``manage.py set_targets``).

Where each comes from (see docs/scoring.md, "Choosing targets"):

- The five *scored* indices (安全生产, 客户满意, 获得电力, 党建标准 on 0–100; 财务绩效 and
  班组绩效 on 0–120, where 100 is the plan and above it over-fulfilment): the target is
  the assessment's "excellent" line just below full marks (98, or 105/110 where the
  index rewards over-fulfilment), the floor the line below which a station fails the
  assessment outright (60–80 depending on how compressed the index is in practice).
- The three *counts and rates* (故障停电 per 100 km of line, 频繁停电 ‰ of customers,
  廉洁风险 points of findings): the target is a level a well-run station reaches
  (near zero, not zero, so that one event does not cost full marks), the floor the
  level at which the committee treats a station as out of control.
- 线损 (distribution line-loss rate, %): target 3 %, about the level of the better
  rural networks; floor 9 %, where losses are clearly unmanaged.

They are placeholders a company should replace, not official standards: they were
chosen so that the best-run stations of a typical company reach red and a lagging one
sits in yellow, which the demo company bears out.
"""

from __future__ import annotations

from scoring.engine import ScoringMethod
from scoring.engine.method import GOALPOSTS, THRESHOLDS

#: Indicator code → (floor, target) raw values: the floor scores 0, the target 100.
SEED_TARGETS: dict[str, tuple[float, float]] = {
    "safety": (60.0, 98.0),
    "fault_outage": (8.0, 0.5),
    "frequent_outage": (10.0, 0.5),
    "line_loss": (9.0, 3.0),
    "customer_satisfaction": (80.0, 98.0),
    "getting_electricity": (70.0, 98.0),
    "party_building": (70.0, 98.0),
    "integrity_risk": (25.0, 2.0),
    "financial": (70.0, 105.0),
    "team_performance": (70.0, 110.0),
}

#: The score each grade starts at, red to green (yellow below the last).
SEED_THRESHOLDS: tuple[float, float, float, float] = (90.0, 80.0, 70.0, 60.0)


def as_goalposts(targets: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """(floor, target) pairs as the engine's goalposts: (low, high) raw values, the
    indicator's direction deciding which end scores 100."""
    return {code: (min(pair), max(pair)) for code, pair in targets.items()}


def seeded_goalposts(codes: set[str]) -> dict[str, tuple[float, float]]:
    """The seeded targets of the given indicators (those in use) as goalposts: what a new
    company, or a method switched to absolute without targets, starts from."""
    return as_goalposts({code: pair for code, pair in SEED_TARGETS.items() if code in codes})


def initial_method(codes: set[str]) -> ScoringMethod:
    """The method a new company starts with (its method version 1), and the base of a
    unit's first common grading rules: absolute scoring, each indicator in use between
    its seeded floor and target, the seeded thresholds."""
    return ScoringMethod(
        normalisation=GOALPOSTS,
        goalposts=tuple(sorted(seeded_goalposts(codes).items())),
        grading=THRESHOLDS,
        thresholds=SEED_THRESHOLDS,
    )
