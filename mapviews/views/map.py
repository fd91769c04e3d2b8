"""The map (home page), its month data for the play control, and the homepage widget."""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from indicators.periods import format_period
from mapviews import selectors
from mapviews.maps import STATION_COLUMNS, MapLabels, station_map_figure
from mapviews.staticfinders import plotly_static_path
from mapviews.text import list_separator
from mapviews.views.common import MonthChoice, chosen_month, month_context
from scoring.grades import NOT_SCORED, all_grade_displays, grade_display, ungraded_reason_text
from scoring.selectors import current_scores
from stations.areas import company_shapes


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    context["plotly_js"] = plotly_static_path()
    if month.run is not None:
        data = map_data(month, request)
        context.update(figure=data["figure"], counts=data["counts"])
        context["legend"] = _legend(data["counts"])
    return render(request, "mapviews/map.html", context)


@require_GET
def map_month(request: HttpRequest) -> JsonResponse:
    """One month of the map as JSON, for the stepper and the play control."""
    month = chosen_month(request)
    if month.run is None:
        return JsonResponse({"error": _("This month has no scores.")}, status=404)
    return JsonResponse(map_data(month, request, compact=request.GET.get("compact") == "1"))


def map_data(month: MonthChoice, request: HttpRequest, *, compact: bool = False) -> dict:
    company, period = month.company, month.period
    rows = selectors.ranking_rows(company.pk, period, month.county_id)
    unscored = [
        station
        for station in selectors.unscored_stations(
            company.pk, period, {row.station.pk for row in rows}
        )
        if not month.county_id or station.county_id == month.county_id
    ]
    shapes = company_shapes(company.pk)
    minimum = month.run.method_params.get("coverage_min_pct")
    frame = _station_frame(rows, unscored, shapes.labels, minimum)
    counties = [c for c in shapes.counties if c.geometry and month.county_id in (None, c.county_id)]
    borders = [{"name": c.name, "lons": c.lons, "lats": c.lats, "label": c.label} for c in counties]
    labels = MapLabels(county=_("County"), score=_("Score"), rank=_("Rank"), change=_("Change"))
    figure = station_map_figure(
        frame,
        shapes.areas,
        borders,
        labels,
        highlight=selectors.own_station_id(request.user),
        compact=compact,
        height=320 if compact else 600,
    )
    counts = {display.code: 0 for display in all_grade_displays()}
    for grade in frame["grade"]:
        counts[grade] += 1
    return {
        "period": format_period(period),
        "previous": month.neighbour(-1),
        "next": month.neighbour(1),
        "figure": figure,
        "counts": counts,
    }


def _station_frame(rows, unscored, label_points, minimum_pct) -> pd.DataFrame:
    records = []
    for row in rows:
        grade = row.grade
        records.append(
            _record(
                row.station,
                grade,
                score_text="–" if row.score is None else f"{row.score:.2f}",
                rank_text=str(row.rank) if row.rank else "–",
                change_text=_change_text(row),
                reason=row.ungraded_reason,
                coverage=row.coverage,
                minimum_pct=minimum_pct,
                label_points=label_points,
            )
        )
    for station in unscored:
        records.append(
            _record(
                station,
                grade_display(None),
                score_text="–",
                rank_text="–",
                change_text="–",
                reason=NOT_SCORED,
                coverage=None,
                minimum_pct=minimum_pct,
                label_points=label_points,
            )
        )
    return pd.DataFrame.from_records(records, columns=list(STATION_COLUMNS))


def _record(station, grade, *, reason, coverage, minimum_pct, label_points, **texts) -> dict:
    label = grade.label
    if reason:
        label = f"{label}: {ungraded_reason_text(reason, coverage, minimum_pct)}"
    lon, lat = label_points.get(station.pk, (station.longitude, station.latitude))
    return {
        "key": station.pk,
        "code": station.code,
        "name": station.name,
        "county": station.county.name,
        "grade": grade.code,
        "grade_label": label,
        "mark": grade.short_name,
        "url": reverse("mapviews:station", args=[station.code]),
        "label_lon": lon,
        "label_lat": lat,
        **texts,
    }


def _change_text(row) -> str:
    parts = []
    change = row.rank_change
    if change is None:
        parts.append(_("no rank last month"))
    elif change > 0:
        parts.append(ngettext("up %(n)d place", "up %(n)d places", change) % {"n": change})
    elif change < 0:
        parts.append(ngettext("down %(n)d place", "down %(n)d places", -change) % {"n": -change})
    else:
        parts.append(_("same rank"))
    if row.grade_change and row.previous_grade:
        parts.append(_("was %(grade)s") % {"grade": row.previous_grade.label})
    return list_separator().join(parts)


def _legend(counts: dict[str, int]) -> list:
    return [(display, counts.get(display.code, 0)) for display in all_grade_displays()]


@login_not_required
@require_GET
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """The compact view for the intranet home page's floating window.

    Framing is allowed only from ``WIDGET_FRAME_ANCESTORS`` (a CSP
    ``frame-ancestors`` list); with none configured the page keeps
    ``X-Frame-Options: DENY`` like every other page.
    """
    allowed = request.user.is_authenticated or settings.WIDGET_PUBLIC
    context = {"allowed": allowed, "plotly_js": plotly_static_path()}
    if allowed:
        month = chosen_month(request)
        context.update(month_context(month, request))
        if month.run is not None:
            data = map_data(month, request, compact=True)
            context.update(figure=data["figure"], legend=_legend(data["counts"]))
            own = selectors.own_station_id(request.user)
            if own is not None:
                context["own_score"] = (
                    current_scores(month.company.pk, month.period).filter(station_id=own).first()
                )
    response = render(request, "mapviews/widget.html", context)
    return frame_policy(response)


def frame_policy(response: HttpResponse) -> HttpResponse:
    origins = settings.WIDGET_FRAME_ANCESTORS
    if origins:
        response["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(origins)
    else:
        response["X-Frame-Options"] = "DENY"
    return response
