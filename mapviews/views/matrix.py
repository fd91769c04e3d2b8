"""Stations × indicators for a month, each cell coloured by the indicator's own grade."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from indicators.models import Direction, Indicator
from mapviews import selectors
from mapviews.filters import carries_filters
from mapviews.pagecache import render_kept
from mapviews.sorting import chosen_sort
from mapviews.tables import matrix_order, matrix_sort_keys
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import GradeDisplay, grade_display
from scoring.models import StationScore
from scoring.regrade_preview import newer_data_note
from scoring.selectors import current_scores
from scoring.viewer import chosen_month, month_context, paginate
from stations.roles import VIEW_ALL_DETAILS


@dataclass(frozen=True)
class MatrixRow:
    score: StationScore
    grade: GradeDisplay
    cells: list[selectors.IndicatorLine]


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
@carries_filters()
def matrix(request: HttpRequest) -> HttpResponse:
    return render_kept(
        request,
        "mapviews/matrix",
        lambda: _matrix_context(request),
        keep=("period",),
    )


def _matrix_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context = month_context(month, request)
    indicators = selectors.indicators_in_force(month.period) if month.period else []
    sort = chosen_sort(request, matrix_sort_keys(indicators), "rank")
    page = paginate(request, [])
    if month.run is not None:
        scores = current_scores(month.company.pk, month.period, month.county_id).defer("flags")
        order = matrix_order(sort.key, indicators, sort.descending)
        page = paginate(request, scores.order_by(*order) if order else scores)
    page.object_list = list(page.object_list)
    read = (
        selectors.month_values([score.station_id for score in page], month.period, month.run)
        if page and month.run is not None
        else None
    )
    values = read.values if read else {}
    summary = month.run.summary if month.run else {}
    medians = summary.get("indicator_medians", {})
    context.update(
        indicators=indicators,
        columns=[(indicator, _heading(indicator)) for indicator in indicators],
        rows=[
            MatrixRow(
                score,
                grade_display(score.grade),
                selectors.indicator_row(
                    score, values.get(score.station_id, {}), indicators, summary
                ),
            )
            for score in page
        ],
        page=page,
        sort=sort,
        medians=[medians.get(indicator.code) for indicator in indicators],
        grades=[grade_display(code) for code in GRADE_ORDER],
        newer_data=(
            newer_data_note(month.company.pk, month.period) if read and read.newer else None
        ),
    )
    return context


def _heading(indicator: Indicator) -> str:
    arrow = "↑" if indicator.direction == Direction.HIGHER_IS_BETTER else "↓"
    unit = f"{indicator.unit_label} " if indicator.unit_label else ""
    return f"{indicator.name} ({unit}{arrow})"
