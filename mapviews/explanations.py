"""What the station page says about a score: where it comes from, what would move
the station up a colour and why it moved since last month. Reads what the run
stored; the arithmetic is in ``scoring.engine.explain``."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from mapviews.charts import contribution_figure, figure_payload
from mapviews.selectors import IndicatorLine
from mapviews.text import change_text
from scoring.engine.explain import (
    ChangeBreakdown,
    change_breakdown,
    contributions,
    next_grade_paths,
)
from scoring.engine.grades import GRADE_ORDER
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


def change_parts(
    score: StationScore | None, before: StationScore | None, lines: list[IndicatorLine]
) -> ChangeBreakdown | None:
    """Why the score moved since last month: own data, other stations, weights/method."""
    if score is None or before is None or score.score is None or before.score is None:
        return None
    ranges_now = score.run.summary.get("indicator_ranges")
    ranges_before = before.run.summary.get("indicator_ranges")
    weights_before = run_weights(before.run.weight_set_id)
    if not ranges_now or not ranges_before or not weights_before:
        return None
    return change_breakdown(
        before.score,
        score.score,
        {line.indicator.code: line.value for line in lines if line.value is not None},
        ranges_before,
        ranges_now,
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
    summary = score.run.summary
    way_up = None
    if summary.get("score_thresholds") and summary.get("indicator_ranges"):
        way_up = next_grade_paths(
            score.score,
            score.grade,
            score.normalised,
            weights,
            summary["score_thresholds"],
            summary["indicator_ranges"],
            higher_is_better(score.run),
        )
    steps = []
    if way_up:
        raw = {line.indicator.code: line.value for line in lines}
        for path in way_up.paths:
            indicator = names.get(path.code)
            if indicator is None or raw.get(path.code) is None:
                continue
            steps.append((indicator, path, raw[path.code], raw[path.code] + path.raw_change))
    return {
        "contribution_chart": chart,
        "way_up": way_up,
        "way_up_grade": grade_display(way_up.grade) if way_up else None,
        "best_reachable": way_up is None and score.grade in GRADE_ORDER,
        "way_up_steps": [step for step in steps if step[1].possible],
        "way_up_impossible": [step[0] for step in steps if not step[1].possible],
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
