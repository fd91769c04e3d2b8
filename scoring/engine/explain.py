"""Explanations a station can act on, from what a run stored (pure, no Django).

- ``contributions``: each indicator's share of the score (weight × normalised value
  over the weight of the indicators present); they add up to the score.
- ``next_grade_paths``: the gap to the next better grade's starting score, and for
  each indicator the improvement that would close it alone, most effective first.
  "Alone" means with every other value and every other station unchanged and
  within the indicator's scale (the raw values its 0 and 100 stand for). Under a
  relative method (min-max) moving beyond the best station would move the scale,
  and so would improving a value at 0, which may be the lowest of the company:
  neither counts. Under percentile normalisation no raw figure is given (the
  scale is the other stations' values themselves).
- ``indicators_together``: when no indicator closes the gap alone, the fewest that
  could together, most room first (each at most up to 100 on its scale).
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


def headroom(normalised: dict[str, float], weights: dict[str, float]) -> dict[str, float]:
    """Points each present indicator could still add to the score, at 100 on its scale."""
    present = {code: weight for code, weight in weights.items() if code in normalised and weight}
    total = sum(present.values())
    if not total:
        return {}
    return {
        code: weight * max(100 - normalised[code], 0) / total for code, weight in present.items()
    }


def indicators_together(
    gap: float, normalised: dict[str, float], weights: dict[str, float]
) -> list[tuple[str, float]] | None:
    """The fewest indicators whose room adds up to ``gap``, most room first, each with
    the points it could add; None when even all of them at 100 would not close it."""
    room = sorted(headroom(normalised, weights).items(), key=lambda item: (-item[1], item[0]))
    chosen, points = [], 0.0
    for code, gain in room:
        if points >= gap - 1e-9 or gain <= 0:
            break
        chosen.append((code, gain))
        points += gain
    return chosen if points >= gap - 1e-9 else None


@dataclass(frozen=True)
class Path:
    code: str
    normalised_gain: float  # points of the indicator's 0–100 scale needed
    raw_change: float | None  # change of the raw value, in its unit (signed: + up, − down)
    possible: bool  # within the indicator's scale


@dataclass(frozen=True)
class NextGrade:
    grade: str
    target_score: float
    gap: float
    paths: list[Path]


def next_grade_target(
    score: float | None, grade: str, score_thresholds: list[float | None]
) -> tuple[str, float] | None:
    """The next better colour within reach and the score it starts at: the lowest
    threshold of a better grade above the score. None for red, ungraded, or when no
    better grade starts above the score."""
    if score is None or grade not in GRADE_ORDER or grade == GRADE_ORDER[0]:
        return None
    position = GRADE_ORDER.index(grade)
    starts = [(p, start) for p, start in enumerate(score_thresholds) if start is not None]
    targets = [start for p, start in reversed(starts) if p < position and start > score]
    if not targets:
        return None
    target = targets[0]
    # Several grades can start at the same score: reaching it gives the best of them.
    target_grade = next(GRADE_ORDER[p] for p, start in starts if start <= target)
    return target_grade, target


def next_grade_paths(
    score: float | None,
    grade: str,
    normalised: dict[str, float],
    weights: dict[str, float],
    score_thresholds: list[float | None],
    scales: dict[str, list[float] | None],
    higher_is_better: dict[str, bool],
    *,
    relative: bool = True,
) -> NextGrade | None:
    """What would move a graded station up one colour; None for red or ungraded.

    ``scales``: each indicator's raw values at 0 and 100 (None: not linear).
    ``relative``: the scale is set by the month's lowest value (min-max)."""
    found = next_grade_target(score, grade, score_thresholds)
    if found is None or score is None:  # no target without a score
        return None
    target_grade, target = found
    gap = target - score
    present = {code: w for code, w in weights.items() if code in normalised and w}
    total = sum(present.values())
    paths = []
    for code, weight in present.items():
        gain = gap * total / weight
        scale = scales.get(code)
        step = None if scale is None else gain * (scale[1] - scale[0]) / 100
        paths.append(
            Path(
                code=code,
                normalised_gain=gain,
                raw_change=None
                if step is None
                else (step if higher_is_better.get(code, True) else -step),
                # At 0 the station may be the indicator's lowest value: improving it
                # would move a relative scale for every station: no path "alone".
                possible=(normalised[code] > 0 or not relative)
                and normalised[code] + gain <= 100 + 1e-9
                and (scale is None or scale[1] > scale[0]),
            )
        )
    paths.sort(key=lambda path: (not path.possible, path.normalised_gain))
    return NextGrade(grade=target_grade, target_score=target, gap=gap, paths=paths)


@dataclass(frozen=True)
class ChangeBreakdown:
    """Score change since last month, split so that the three parts add up to it."""

    total: float
    own_data: float  # the station's own values, on last month's scale and weights
    other_stations: float  # the scale moved (other stations' values, or the station's own
    # when it is the lowest or highest of an indicator)
    weights_and_method: float  # the rest: a new weight version or method


def _weighted(normalised: dict[str, float], weights: dict[str, float]) -> float | None:
    points = contributions(normalised, weights)
    return sum(points.values()) if points else None


def _on_scale(
    raw: dict[str, float],
    scales: dict[str, list[float] | None],
    higher_is_better: dict[str, bool],
) -> dict[str, float]:
    """Raw values normalised on a given month's linear scale, clipped to 0–100."""
    result = {}
    for code, value in raw.items():
        bounds = scales.get(code)
        if not bounds:
            continue
        low, high = bounds
        if high == low:
            scaled = 100.0
        elif higher_is_better.get(code, True):
            scaled = 100 * (value - low) / (high - low)
        else:
            scaled = 100 * (high - value) / (high - low)
        result[code] = min(100.0, max(0.0, scaled))
    return result


def change_breakdown(
    score_before: float,
    score_now: float,
    raw_now: dict[str, float],
    scales_before: dict[str, list[float] | None],
    scales_now: dict[str, list[float] | None],
    weights_before: dict[str, float],
    higher_is_better: dict[str, bool],
) -> ChangeBreakdown | None:
    """Split ``score_now − score_before`` (both as published).

    own data = this month's values on last month's scale and weights − last month's score;
    other stations = the same values on this month's scale − that; weights and method =
    the rest (this month's score − this month's values on this month's scale with last
    month's weights). The three add up to the change exactly. Scales are the linear
    ones a run stores (``indicator_scales``); under fixed goalposts both are the same,
    so the other stations' part is 0.
    """
    own_scale = _weighted(_on_scale(raw_now, scales_before, higher_is_better), weights_before)
    new_scale = _weighted(_on_scale(raw_now, scales_now, higher_is_better), weights_before)
    if own_scale is None or new_scale is None:
        return None
    return ChangeBreakdown(
        total=score_now - score_before,
        own_data=own_scale - score_before,
        other_stations=new_scale - own_scale,
        weights_and_method=score_now - new_scale,
    )
