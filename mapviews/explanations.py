"""What the station page says about a score: where it comes from, what would move
the station up a colour and why it moved since last month. Reads what the run
stored; the arithmetic is in ``scoring.engine.explain``."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from mapviews.charts import contribution_figure, figure_payload
from mapviews.selectors import IndicatorLine
from mapviews.text import change_text
from scoring.engine import ScoringMethod
from scoring.engine.explain import (
    ChangeBreakdown,
    change_breakdown,
    contributions,
    indicators_together,
    next_grade_paths,
)
from scoring.engine.grades import GRADE_ORDER
from scoring.gradechange import contradiction_text, score_contradiction
from scoring.grades import grade_display
from scoring.models import ScoreRun, StationScore, Weight


def higher_is_better(run: ScoreRun) -> dict[str, bool]:
    """Each indicator's direction as the run recorded it."""
    directions = run.method_params.get("directions", {})
    return {code: direction == "higher" for code, direction in directions.items()}


def run_weights(weight_set_id: int | None) -> dict[str, float]:
    """A weight version's weights by indicator code (none for a run without one)."""
    if not weight_set_id:
        return {}
    return {
        code: float(weight)
        for code, weight in Weight.objects.filter(weight_set_id=weight_set_id).values_list(
            "indicator__code", "weight"
        )
    }


def run_scales(run: ScoreRun) -> dict[str, list[float] | None]:
    """The raw values each indicator's 0 and 100 stood for in the run (runs stored
    before methods were chosen were all min-max: their ranges are their scales)."""
    summary = run.summary
    return summary.get("indicator_scales") or summary.get("indicator_ranges") or {}


def run_method(run: ScoreRun) -> ScoringMethod:
    return ScoringMethod.from_record(run.method_params or {})


def score_thresholds(score: StationScore) -> list[float | None] | None:
    """The score each grade started at for this station: its peer group's when the
    run graded within groups."""
    summary = score.run.summary
    group = (score.flags or {}).get("peer_group")
    if group is not None and summary.get("peer_score_thresholds"):
        return summary["peer_score_thresholds"].get(group)
    return summary.get("score_thresholds")


def change_parts(
    score: StationScore | None, before: StationScore | None, lines: list[IndicatorLine]
) -> ChangeBreakdown | None:
    """Why the score moved since last month: own data, other stations, weights/method."""
    if score is None or before is None or score.score is None or before.score is None:
        return None
    scales_now = run_scales(score.run)
    scales_before = run_scales(before.run)
    weights_before = run_weights(before.run.weight_set_id)
    if not scales_now or not scales_before or not weights_before:
        return None
    return change_breakdown(
        before.score,
        score.score,
        {line.indicator.code: line.value for line in lines if line.value is not None},
        scales_before,
        scales_now,
        weights_before,
        higher_is_better(score.run),
    )


def station_explanation(
    score: StationScore | None, lines: list[IndicatorLine]
) -> dict[str, object]:
    """The score taken apart by indicator, and what would move the station up a colour."""
    if score is None or score.score is None or not score.run.weight_set_id:
        return {}
    weights = run_weights(score.run.weight_set_id)
    names = {line.indicator.code: line.indicator for line in lines}
    points = contributions(score.normalised, weights)
    frame = pd.DataFrame(
        [(names[c].name, p) for c, p in points.items() if c in names],
        columns=["name", "points"],
    ).sort_values("points", ascending=False)
    chart = figure_payload(
        contribution_figure(
            frame,
            title=_("Where the score of %(score).2f comes from") % {"score": score.score},
            points_label=_("Points of the score"),
        )
    )
    thresholds, scales = score_thresholds(score), run_scales(score.run)
    cap = (score.flags or {}).get("cap")
    way_up = None
    if thresholds and scales and not cap:
        way_up = next_grade_paths(
            score.score,
            score.grade,
            score.normalised,
            weights,
            thresholds,
            scales,
            higher_is_better(score.run),
            relative=run_method(score.run).relative,
        )
    steps = []
    if way_up:
        raw = {line.indicator.code: line.value for line in lines}
        for path in way_up.paths:
            indicator = names.get(path.code)
            if indicator is None or raw.get(path.code) is None:
                continue
            target = None if path.raw_change is None else raw[path.code] + path.raw_change
            steps.append((indicator, path, raw[path.code], target))
    return {
        "contribution_chart": chart,
        "way_up": way_up,
        "way_up_grade": grade_display(way_up.grade) if way_up else None,
        "best_reachable": way_up is None and not cap and score.grade in GRADE_ORDER,
        "cap": cap_explanation(cap, names),
        "carried": [
            (names[code].name if code in names else code, months)
            for code, months in (score.flags or {}).get("carried", {}).items()
        ],
        **_way_up_lists(way_up, steps, score.normalised, weights, names),
    }


def _way_up_lists(way_up, steps, normalised, weights, names) -> dict:
    """The indicators that would do it alone and those that would not; when none would
    alone, instead of naming them all as "not enough", the fewest that would together."""
    alone = [step for step in steps if step[1].possible]
    if not way_up or alone:
        return {
            "way_up_steps": alone,
            "way_up_impossible": [step[0] for step in steps if not step[1].possible],
            "way_up_together": [],
            "way_up_out_of_reach": False,
        }
    together = indicators_together(way_up.gap, normalised, weights)
    return {
        "way_up_steps": [],
        "way_up_impossible": [],
        "way_up_together": [
            (names[code], points) for code, points in together or [] if code in names
        ],
        "way_up_out_of_reach": together is None,
    }


def since_last_month(score: StationScore | None, before: StationScore | None) -> str | None:
    if score is None or before is None:
        return None
    rank_change = before.rank - score.rank if score.rank and before.rank else None
    now, then = grade_display(score.grade), grade_display(before.grade)
    grade_change = (
        then.position - now.position
        if now.position is not None and then.position is not None
        else None
    )
    return change_text(rank_change, grade_change, then)


def grade_note(score: StationScore | None, before: StationScore | None) -> str:
    """Why the grade moved against the score since last month ("" when it did not)."""
    if score is None or before is None:
        return ""
    return contradiction_text(
        score_contradiction(
            (before.run, before.grade, before.score, before.flags),
            (score.run, score.grade, score.score, score.flags),
        )
    )


def cap_explanation(cap: dict | None, indicators: dict) -> dict | None:
    """Why the grade is limited: the rule, the station's value and the grade by score."""
    if not cap:
        return None
    indicator = indicators.get(cap["indicator"])
    return {
        "indicator": indicator.name if indicator else cap["indicator"],
        "unit": indicator.unit_label if indicator else "",
        "rule": cap["rule"],
        "value": cap["value"],
        "grade": grade_display(cap["grade"]),
        "uncapped": grade_display(cap["uncapped"]),
    }
