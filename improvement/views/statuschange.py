"""Status × change: each station's level now against its score change since a year (or a
quarter) before, on the California-dashboard grid, for the party committee."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from improvement.engine.statuschange import (
    CHANGE_BANDS,
    SIGNIFICANT_CHANGE,
    SMALL_CHANGE,
    StationChange,
)
from improvement.selectors.months import as_station_id
from improvement.selectors.statuschange import SINCE_MONTHS, StatusChange, read_status_change
from improvement.text.labels import CHANGE_BAND_LABELS, CHANGE_BAND_RANGES
from indicators.periods import format_period
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import grade_display
from scoring.viewer import chosen_month, month_context
from stations.roles import VIEW_ALL_DETAILS


def parse_since(text: str) -> str:
    """``year`` (the default) or ``quarter``; anything else is a bad request."""
    if not text:
        return "year"
    if text not in SINCE_MONTHS:
        raise BadRequest(
            _("Compare with the month a year or a quarter before: since=year or since=quarter.")
        )
    return text


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def status_change(request: HttpRequest) -> HttpResponse:
    since = parse_since(request.GET.get("since", ""))
    month = chosen_month(request)
    context = month_context(month, request)
    context.update(since=since, stepper_since=since, since_options=_since_options(since))
    if month.company is not None and month.run is not None:
        found = read_status_change(
            month.company.pk, month.run, SINCE_MONTHS[since], month.county_id
        )
        context.update(_page_context(found))
    return render(request, "improvement/status_change.html", context)


def _since_options(chosen: str) -> list[tuple[str, str, bool]]:
    labels = {"year": _("a year before"), "quarter": _("a quarter before")}
    return [(key, labels[key], key == chosen) for key in SINCE_MONTHS]


def _page_context(found: StatusChange) -> dict:
    def line(item: StationChange) -> tuple:
        return (found.stations[as_station_id(item.key)], grade_display(item.level), item)

    rows = []
    for level, cells in zip(GRADE_ORDER, found.grid.rows, strict=True):
        rows.append(
            (
                grade_display(level),
                [
                    (cell, grade_display(cell.colour), CHANGE_BAND_LABELS[cell.band])
                    for cell in cells
                ],
            )
        )
    return {
        "compared_period": format_period(found.since),
        "compared_scored": found.compared_run is not None,
        "differences": found.differences,
        "bands": [
            (band, CHANGE_BAND_LABELS[band], CHANGE_BAND_RANGES[band]) for band in CHANGE_BANDS
        ],
        "grid_rows": rows,
        "compared_count": found.grid.compared,
        "cell_lists": [
            (cell, level, colour, band_label, [line(item) for item in cell.stations])
            for level, cells in rows
            for cell, colour, band_label in cells
            if cell.stations
        ],
        "no_comparison": [line(item) for item in found.grid.no_comparison],
        "small_change": SMALL_CHANGE,
        "significant_change": SIGNIFICANT_CHANGE,
    }
