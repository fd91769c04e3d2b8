"""A station's page: its colour and why, its history, its county peers."""

from __future__ import annotations

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import format_period, previous_period
from mapviews import explanations, selectors
from mapviews.breadcrumbs import company_trail, trail_scope
from mapviews.charts import figure_payload, score_history_figure
from mapviews.pagecache import render_kept
from mapviews.panels import station_sections_context
from mapviews.staticfinders import plotly_static_path
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import grade_display
from scoring.monthstate import station_review
from scoring.regrade_preview import newer_data_note
from scoring.selectors import current_runs, opening_period, regrade_note
from scoring.viewer import parse_month
from stations.models import Station
from stations.roles import can_object_for, can_see_station_detail, own_station_id
from stations.scope import scoped

#: How many of the weakest indicators the page names in its summary.
WEAKEST_NAMED = 3


@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The page is kept rendered per station, month, language and the viewer's rights
    and own station (the indicator detail and the improvement work depend on them)."""
    return render_kept(
        request,
        "mapviews/station_detail",
        lambda: _station_context(request, code),
        scope=(code, *trail_scope(request)),
        keep=("station_name", "chart_shown", "plotly_js"),
    )


def _station_context(request: HttpRequest, code: str) -> dict:
    station = get_object_or_404(
        scoped(Station.objects.select_related("county__company"), request.user, "county__company"),
        code=code,
    )
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
    review = (
        station_review(station.county.company_id, latest.period, station.pk) if latest else None
    )
    detail = can_see_station_detail(request.user, station)
    # The sections other apps add (the improvement work) name the weak indicators: detail too.
    work = station_sections_context(request.user, station) if detail else {}
    started = work.get("started", {})
    cells = [(label, score, grade, started.get(score.period, [])) for label, score, grade in strip]
    # Indicator-level detail is not public: without the right, nothing of it is read.
    lines, newer = selectors.station_lines(station, latest) if detail else ([], False)
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
        **(explanations.station_explanation(latest, lines) if detail else {}),
        "change_parts": explanations.change_parts(latest, before, lines) if detail else None,
        "detail": detail,
        "strongest": strongest,
        "station": station,
        "crumbs": company_trail(request, station.county.company, station.county, station),
        "latest": latest,
        "latest_grade": grade_display(latest.grade if latest else None),
        "latest_period": format_period(latest.period) if latest else None,
        "asked_period": format_period(asked) if asked and latest is None else None,
        "since_last_month": explanations.since_last_month(latest, before),
        "grade_note": explanations.grade_note(latest, before),
        "strip_cells": cells,
        "history_rows": list(reversed(cells)),
        **work,
        "indicators": lines,
        "weakest": weakest,
        "peers": selectors.county_peers(station, latest.period) if latest else [],
        "chart": chart,
        "chart_shown": chart is not None,
        "station_name": station.name,
        "plotly_js": plotly_static_path(),
        "is_own_station": own_station_id(request.user) == station.pk,
        "regrade": regrade_note(station.county.company_id, latest.period) if latest else None,
        "newer_data": newer_data_note(station.county.company_id, latest.period) if newer else None,
        "review": review,
        "provisional": review is not None,
        "may_object": review is not None
        and can_object_for(request.user, station.pk)
        and review.takes_objections(timezone.localdate()),
    }
    return context
