"""Pages: parse the request, call a selector, render."""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import PeriodError, add_months, format_period, parse_period
from mapviews import selectors
from mapviews.charts import figure_payload, score_history_figure
from mapviews.staticfinders import plotly_static_path
from scoring.grades import all_grade_displays, grade_display
from scoring.models import ScoreRun
from scoring.selectors import current_runs, opening_period
from stations.models import Station


def home(request: HttpRequest) -> HttpResponse:
    return redirect("mapviews:ranking")


def _chosen_period(request: HttpRequest, runs: list[ScoreRun]) -> date | None:
    """The ?period= month if it is valid, else the month the pages open on."""
    text = request.GET.get("period", "")
    if text:
        try:
            return parse_period(text)
        except PeriodError:
            raise Http404(_("No such month: %s") % text) from None
    return opening_period(runs)


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    company = selectors.company_for_user(request.user)
    runs = current_runs(company.pk) if company else []
    periods = [run.period for run in runs]
    period = _chosen_period(request, runs)
    county_id = _int_or_none(request.GET.get("county"))
    run = next((run for run in runs if run.period == period), None)
    scored = run is not None
    rows = selectors.ranking_rows(company.pk, period, county_id) if scored else []
    counts = {display.code: 0 for display in all_grade_displays()}
    for row in rows:
        counts[row.grade.code] += 1
    context = {
        "company": company,
        "period": format_period(period) if period else None,
        "period_scored": scored,
        "coverage_min_pct": run.method_params.get("coverage_min_pct") if run else None,
        "latest_period": format_period(periods[0]) if periods else None,
        "periods": [format_period(p) for p in periods],
        "previous_period": _neighbour(period, -1, periods),
        "next_period": _neighbour(period, 1, periods),
        "rows": rows,
        "legend": [(display, counts[display.code]) for display in all_grade_displays()],
        "counties": selectors.counties(company.pk) if company else [],
        "county_id": county_id,
        "own_station_id": selectors.own_station_id(request.user),
    }
    return render(request, "mapviews/ranking.html", context)


def _neighbour(period: date | None, step: int, periods: list[date]) -> str | None:
    if period is None:
        return None
    neighbour = add_months(period, step)
    return format_period(neighbour) if neighbour in periods else None


@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station.objects.select_related("county__company"), code=code)
    history = selectors.station_history(station)
    opening_month = opening_period(current_runs(station.county.company_id))
    latest = next((score for score in history if score.period == opening_month), None)
    if latest is None and history:
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
            }
        )
        chart = figure_payload(
            score_history_figure(frame, score_label=_("Score"), title=_("Score by month"))
        )
    context = {
        "station": station,
        "latest": latest,
        "latest_grade": grade_display(latest.grade if latest else None),
        "latest_period": format_period(latest.period) if latest else None,
        "strip": strip,
        "history_rows": list(reversed(strip)),
        "indicators": selectors.indicator_lines(station, latest),
        "chart": chart,
        "plotly_js": plotly_static_path(),
        "is_own_station": selectors.own_station_id(request.user) == station.pk,
    }
    return render(request, "mapviews/station_detail.html", context)


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
