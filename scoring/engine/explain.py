"""Explanations a station can act on, from what a run stored (pure, no Django).

- ``contributions``: each indicator's share of the score (weight × normalised value
  over the weight of the indicators present); they add up to the score.
- ``next_grade_paths``: the gap to the next better grade's starting score, and for
  each indicator the improvement that would close it alone, most effective first.
  "Alone" means with every other value and every other station unchanged and
  within the month's range of that indicator (min-max scores are relative: moving
  beyond the best station would move the scale).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.engine.grades import GRADE_ORDER


def contributions(normalised: dict[str, float], weights: dict[str, float]) -> dict[str, float]:
    """Points each present indicator adds to the score (unrounded)."""
    present = {code: weight for code, weight in weights.items() if code in normalised and weight}
    total = sum(present.values())
    if not total:
        return {}
    return {code: weight * normalised[code] / total for code, weight in present.items()}


@dataclass(frozen=True)
class Path:
    code: str
    normalised_gain: float  # points of the indicator's 0–100 scale needed
    raw_change: float  # change of the raw value, in its unit (signed: + up, − down)
    possible: bool  # within the indicator's current range


@dataclass(frozen=True)
class NextGrade:
    grade: str
    target_score: float
    gap: float
    paths: list[Path]


def next_grade_paths(
    score: float | None,
    grade: str,
    normalised: dict[str, float],
    weights: dict[str, float],
    score_thresholds: list[float | None],
    ranges: dict[str, list[float] | None],
    higher_is_better: dict[str, bool],
) -> NextGrade | None:
    """What would move a graded station up one colour; None for red or ungraded."""
    if score is None or grade not in GRADE_ORDER or grade == GRADE_ORDER[0]:
        return None
    position = GRADE_ORDER.index(grade)
    better = [
        (GRADE_ORDER[p], score_thresholds[p])
        for p in range(position - 1, -1, -1)
        if score_thresholds[p] is not None and score_thresholds[p] > score
    ]
    if not better:
        return None
    target_grade, target = better[0]
    gap = target - score
    present = {code: w for code, w in weights.items() if code in normalised and w}
    total = sum(present.values())
    paths = []
    for code, weight in present.items():
        gain = gap * total / weight
        low, high = ranges.get(code) or (0.0, 0.0)
        step = gain * (high - low) / 100
        paths.append(
            Path(
                code=code,
                normalised_gain=gain,
                raw_change=step if higher_is_better.get(code, True) else -step,
                possible=normalised[code] + gain <= 100 + 1e-9 and high > low,
            )
        )
    paths.sort(key=lambda path: (not path.possible, path.normalised_gain))
    return NextGrade(grade=target_grade, target_score=target, gap=gap, paths=paths)
