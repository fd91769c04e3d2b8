"""How the colours moved: counts per month and the transitions between two months."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import format_period
from mapviews import selectors
from mapviews.charts import figure_payload, grade_distribution_figure
from mapviews.filters import carries_filters
from mapviews.pagecache import render_kept
from mapviews.staticfinders import plotly_static_path
from mapviews.tables import month_moves
from mapviews.transitions import ABSENT, CATEGORIES
from scoring.grades import GradeDisplay, all_grade_displays, grade_display
from scoring.models import StationScore
from scoring.monthstate import is_provisional
from scoring.viewer import chosen_month, parse_month
from stations.viewer import counties

#: Longest list of stations that moved up (or down) shown on the page.
MOVES_SHOWN = 50


@dataclass(frozen=True)
class Move:
    score: StationScore
    before: GradeDisplay
    after: GradeDisplay


@require_GET
@carries_filters("to")
def history(request: HttpRequest) -> HttpResponse:
    return render_kept(
        request,
        "mapviews/history",
        lambda: _history_context(request),
        keep=("chart_shown", "plotly_js"),
    )


def _history_context(request: HttpRequest) -> dict:
    month = chosen_month(request, parameter="to")
    company = month.company
    county_id = month.county_id
    periods = sorted(month.periods)
    context = {
        "company": company,
        "periods": [format_period(p) for p in periods],
        "counties": counties(company.pk) if company else [],
        "county_id": county_id,
        "plotly_js": plotly_static_path(),
        "own_station_id": selectors.own_station_id(request.user),
        "provisional_periods": [format_period(r.period) for r in month.runs if is_provisional(r)],
    }
    if not periods:
        return context
    to_period = month.period if month.period in periods else periods[-1]
    earlier = [p for p in periods if p < to_period]
    default_from = earlier[-1] if earlier else to_period
    from_period = parse_month(request.GET.get("from", "")) or default_from
    if from_period not in periods:
        from_period = default_from
    if from_period > to_period:
        from_period, to_period = to_period, from_period

    counts = pd.DataFrame(
        selectors.grade_counts_by_month(company.pk, county_id, month.runs),
        columns=["period", "grade", "count"],
    )
    counts["period"] = counts["period"].map(format_period)
    labels = {display.code: display.label for display in all_grade_displays()}
    figure = grade_distribution_figure(counts, labels, count_label=_("Stations"))

    run_of = {run.period: run.pk for run in month.runs}
    moves = month_moves(run_of[from_period], run_of[to_period], county_id, MOVES_SHOWN)
    shown = _moved_stations(run_of[to_period], [key for key, _g in moves.up + moves.down])
    displays = {display.code: display for display in all_grade_displays()}
    displays[ABSENT] = None
    categories = [(code, displays[code]) for code in CATEGORIES]

    def listed(moved: list[tuple[int, str]]) -> list[Move]:
        return [
            Move(shown[key], grade_display(before), grade_display(shown[key].grade))
            for key, before in moved
        ]

    context.update(
        figure=figure_payload(figure),
        from_period=format_period(from_period),
        to_period=format_period(to_period),
        categories=categories,
        transition_rows=[
            (display, [moves.counts[(row, column)] for column, _d in categories])
            for row, display in categories
        ],
        moved_up=listed(moves.up),
        moved_down=listed(moves.down),
        moved_up_count=moves.up_count,
        moved_down_count=moves.down_count,
        chart_shown=True,
    )
    return context


def _moved_stations(run_id: int, station_ids: list[int]) -> dict[int, StationScore]:
    """The listed stations' scores in the later month, with station and county."""
    scores = StationScore.objects.filter(run_id=run_id, station_id__in=station_ids)
    return {
        score.station_id: score
        for score in scores.select_related("station__county").defer("normalised", "flags")
    }
