"""Stations × indicators for a month, each cell coloured by the indicator's own grade."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from indicators.models import Indicator
from mapviews import selectors
from mapviews.sorting import chosen_sort, sort_rows
from mapviews.views.common import chosen_month, month_context
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import GradeDisplay, grade_display
from scoring.models import StationScore
from scoring.selectors import current_scores


@dataclass(frozen=True)
class MatrixCell:
    indicator: Indicator
    value: float | None
    normalised: float | None
    grade: GradeDisplay


@dataclass(frozen=True)
class MatrixRow:
    score: StationScore
    grade: GradeDisplay
    cells: list[MatrixCell]

    def normalised(self, code: str) -> float | None:
        return self.score.normalised.get(code)


@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    indicators = selectors.active_indicators()
    rows: list[MatrixRow] = []
    if month.run is not None:
        scores = current_scores(month.company.pk, month.period, month.county_id)
        values = selectors.month_values(month.company.pk, month.period, month.county_id)
        for score in scores:
            raw = values.get(score.station_id, {})
            cells = [
                MatrixCell(
                    indicator,
                    raw.get(indicator.code),
                    score.normalised.get(indicator.code),
                    grade_display(score.indicator_grades.get(indicator.code)),
                )
                for indicator in indicators
            ]
            rows.append(MatrixRow(score, grade_display(score.grade), cells))
    keys = {
        "rank": lambda row: row.score.rank,
        "station": lambda row: row.score.station.name,
        "county": lambda row: row.score.station.county.name,
        "score": lambda row: row.score.score,
    }
    for indicator in indicators:
        keys[f"i-{indicator.code}"] = lambda row, code=indicator.code: row.normalised(code)
    sort = chosen_sort(request, list(keys), "rank")
    medians = month.run.summary.get("indicator_medians", {}) if month.run else {}
    context.update(
        indicators=indicators,
        rows=sort_rows(rows, keys[sort.key], sort.descending),
        sort=sort,
        medians=[medians.get(indicator.code) for indicator in indicators],
        grades=[grade_display(code) for code in GRADE_ORDER],
    )
    return render(request, "mapviews/matrix.html", context)
