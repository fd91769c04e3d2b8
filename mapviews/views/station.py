"""A station's page: its colour and why, its history, its county peers."""

from __future__ import annotations

import pandas as pd
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import format_period, previous_period
from mapviews import selectors
from mapviews.charts import contribution_figure, figure_payload, score_history_figure
from mapviews.selectors import IndicatorLine
from mapviews.staticfinders import plotly_static_path
from mapviews.text import change_text
from mapviews.views.common import parse_month
from scoring.engine.explain import (
    ChangeBreakdown,
    change_breakdown,
    contributions,
    next_grade_paths,
)
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import grade_display
from scoring.models import StationScore, Weight
from scoring.selectors import current_runs, opening_period
from stations.models import Station

#: How many of the weakest indicators the page names in its summary.
WEAKEST_NAMED = 3


@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station.objects.select_related("county__company"), code=code)
    history = selectors.station_history(station)
    asked = parse_month(request.GET.get("period", ""))
    shown_month = asked or opening_period(current_runs(station.county.company_id))
    latest = next((score for score in history if score.period == shown_month), None)
    if latest is None and history and asked is None:
        latest = history[-1]
    strip = [(format_period(score.period), score, grade_display(score.grade)) for score in history]
    chart = None
    if history:
        frame = pd.DataFrame(
            {
                "period": [label for label, _score, _grade in strip],
                "score": [score.score for score in history],
                "grade": [score.grade for score in history],
                "grade_label": [display.label for _label, _score, display in strip],
                "median": [score.run.summary.get("median_score") for score in history],
            }
        )
        chart = figure_payload(
            score_history_figure(
                frame,
                score_label=_("Score"),
                title=_("Score by month"),
                median_label=_("Company median"),
            )
        )
    lines = selectors.indicator_lines(station, latest)
    before = (
        next((s for s in history if s.period == previous_period(latest.period)), None)
        if latest
        else None
    )
    weakest = [line for line in lines if line.normalised is not None][:WEAKEST_NAMED]
    strongest = [
        line
        for line in reversed(lines)
        if line.grade.code in GRADE_ORDER[:2] and line not in weakest
    ][:WEAKEST_NAMED]
    context = {
        **_explanation(latest, lines),
        "change_parts": _change_parts(latest, before, lines),
        "strongest": strongest,
        "station": station,
        "latest": latest,
        "latest_grade": grade_display(latest.grade if latest else None),
        "latest_period": format_period(latest.period) if latest else None,
        "asked_period": format_period(asked) if asked and latest is None else None,
        "since_last_month": _since_last_month(latest, before),
        "strip": strip,
        "history_rows": list(reversed(strip)),
        "indicators": lines,
        "weakest": weakest,
        "peers": selectors.county_peers(station, latest.period) if latest else [],
        "chart": chart,
        "plotly_js": plotly_static_path(),
        "is_own_station": selectors.own_station_id(request.user) == station.pk,
    }
    return render(request, "mapviews/station_detail.html", context)


def _weights(weight_set_id: int | None) -> dict[str, float]:
    if not weight_set_id:
        return {}
    return {
        code: float(weight)
        for code, weight in Weight.objects.filter(weight_set_id=weight_set_id).values_list(
            "indicator__code", "weight"
        )
    }


def _change_parts(
    score: StationScore | None, before: StationScore | None, lines: list[IndicatorLine]
) -> ChangeBreakdown | None:
    """Why the score moved since last month: own data, other stations, weights/method."""
    if score is None or before is None or score.score is None or before.score is None:
        return None
    ranges_now = score.run.summary.get("indicator_ranges")
    ranges_before = before.run.summary.get("indicator_ranges")
    weights_before = _weights(before.run.weight_set_id)
    if not ranges_now or not ranges_before or not weights_before:
        return None
    directions = score.run.method_params.get("directions", {})
    return change_breakdown(
        before.score,
        score.score,
        {line.indicator.code: line.value for line in lines if line.value is not None},
        ranges_before,
        ranges_now,
        weights_before,
        {code: direction == "higher" for code, direction in directions.items()},
    )


def _explanation(score: StationScore | None, lines: list[IndicatorLine]) -> dict[str, object]:
    """The score taken apart by indicator, and what would move the station up a colour."""
    if score is None or score.score is None or not score.run.weight_set_id:
        return {}
    weights = _weights(score.run.weight_set_id)
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
    directions = score.run.method_params.get("directions", {})
    way_up = None
    if summary.get("score_thresholds") and summary.get("indicator_ranges"):
        way_up = next_grade_paths(
            score.score,
            score.grade,
            score.normalised,
            weights,
            summary["score_thresholds"],
            summary["indicator_ranges"],
            {code: direction == "higher" for code, direction in directions.items()},
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


def _since_last_month(score: StationScore | None, before: StationScore | None) -> str | None:
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


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: is the database reachable?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
