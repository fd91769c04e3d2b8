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
from scoring.grades import all_grade_displays, ungraded_reason_text
from stations.areas import company_shapes


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    context["plotly_js"] = plotly_static_path()
    if month.run is not None:
        data, _rows = map_data(month, request)
        context.update(figure=data["figure"], counts=data["counts"])
        context["legend"] = _legend(data["counts"])
    return render(request, "mapviews/map.html", context)


@require_GET
def map_month(request: HttpRequest) -> JsonResponse:
    """One month of the map as JSON, for the stepper and the play control."""
    month = chosen_month(request)
    if month.run is None:
        return JsonResponse({"error": _("This month has no scores.")}, status=404)
    data, _rows = map_data(month, request, compact=request.GET.get("compact") == "1")
    return JsonResponse(data)


def map_data(
    month: MonthChoice, request: HttpRequest, *, compact: bool = False
) -> tuple[dict, list[selectors.RankingRow]]:
    """The month's map figure, counts and stepper neighbours (JSON-ready), and the rows."""
    company, period = month.company, month.period
    rows = selectors.ranking_rows(company.pk, period, month.county_id)
    shapes = company_shapes(company.pk)
    minimum = month.run.method_params.get("coverage_min_pct")
    frame = pd.DataFrame.from_records(
        [_record(row, shapes.labels, minimum) for row in rows], columns=list(STATION_COLUMNS)
    )
    borders = [
        {"name": c.name, "lons": c.lons, "lats": c.lats, "label": c.label}
        for c in shapes.counties
        if c.geometry and month.county_id in (None, c.county_id)
    ]
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
    counts = selectors.grade_counts(rows)
    return {
        "period": format_period(period),
        "previous": month.neighbour(-1),
        "next": month.neighbour(1),
        "figure": figure,
        "counts": counts,
        "count_texts": {code: station_count_text(count) for code, count in counts.items()},
    }, rows


def station_count_text(count: int) -> str:
    """ "12 stations": the legend's wording (the template uses the same message)."""
    return ngettext("%(counter)s station", "%(counter)s stations", count) % {"counter": count}


def _record(row: selectors.RankingRow, label_points: dict, minimum_pct: float | None) -> dict:
    station, grade = row.station, row.grade
    label = grade.label
    if row.ungraded_reason:
        reason = ungraded_reason_text(row.ungraded_reason, row.coverage, minimum_pct)
        label = f"{label}: {reason}"
    lon, lat = label_points.get(station.pk, (station.longitude, station.latitude))
    return {
        "key": station.pk,
        "code": station.code,
        "name": station.name,
        "county": station.county.name,
        "grade": grade.code,
        "grade_name": grade.label,
        "grade_label": label,
        "mark": grade.short_name,
        "score_text": "–" if row.score is None else f"{row.score:.2f}",
        "rank_text": str(row.rank) if row.rank else "–",
        "change_text": _change_text(row),
        "url": reverse("mapviews:station", args=[station.code]),
        "label_lon": lon,
        "label_lat": lat,
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
            data, rows = map_data(month, request, compact=True)
            context.update(figure=data["figure"], legend=_legend(data["counts"]))
            own = selectors.own_station_id(request.user)
            context["own_row"] = next((row for row in rows if row.station.pk == own), None)
    response = render(request, "mapviews/widget.html", context)
    return frame_policy(response)


def frame_policy(response: HttpResponse) -> HttpResponse:
    origins = settings.WIDGET_FRAME_ANCESTORS
    if origins:
        response["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(origins)
    else:
        response["X-Frame-Options"] = "DENY"
    return response
