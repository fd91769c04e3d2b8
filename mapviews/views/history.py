"""How the colours moved: counts per month and the transitions between two months."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import format_period
from mapviews import selectors
from mapviews.charts import figure_payload, grade_distribution_figure
from mapviews.staticfinders import plotly_static_path
from mapviews.views.common import chosen_month, int_or_none, parse_month
from scoring.engine.grades import ALL_GRADES, UNGRADED
from scoring.grades import GradeDisplay, all_grade_displays, grade_display


@dataclass(frozen=True)
class Move:
    station_name: str
    station_code: str
    county: str
    before: GradeDisplay
    after: GradeDisplay
    score_before: float | None
    score_after: float | None

    @property
    def steps(self) -> int:
        return (self.before.position or 0) - (self.after.position or 0)


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request, parameter="to")
    company = month.company
    county_id = int_or_none(request.GET.get("county"))
    periods = sorted(month.periods)
    context = {
        "company": company,
        "periods": [format_period(p) for p in periods],
        "counties": selectors.counties(company.pk) if company else [],
        "county_id": county_id,
        "plotly_js": plotly_static_path(),
    }
    if len(periods) == 0 or month.period not in periods:
        return render(request, "mapviews/history.html", context)
    to_period = month.period
    earlier = [p for p in periods if p < to_period]
    from_period = parse_month(request.GET.get("from", "")) or (
        earlier[-1] if earlier else to_period
    )
    if from_period not in periods:
        from_period = earlier[-1] if earlier else to_period

    counts = pd.DataFrame(
        selectors.grade_counts_by_month(company.pk, county_id), columns=["period", "grade", "count"]
    )
    counts["period"] = counts["period"].map(format_period)
    labels = {display.code: display.label for display in all_grade_displays()}
    figure = grade_distribution_figure(counts, labels, count_label=_("Stations"))

    before = selectors.grades_in(company.pk, from_period, county_id)
    after = selectors.grades_in(company.pk, to_period, county_id)
    table = {(a, b): 0 for a in ALL_GRADES for b in ALL_GRADES}
    moves = []
    for station_id in before.keys() | after.keys():
        old = before.get(station_id, {"grade": UNGRADED, "score": None})
        new = after.get(station_id, {"grade": UNGRADED, "score": None})
        table[(old["grade"], new["grade"])] += 1
        station = new.get("station") or old.get("station")
        move = Move(
            station.name,
            station.code,
            station.county.name,
            grade_display(old["grade"]),
            grade_display(new["grade"]),
            old["score"],
            new["score"],
        )
        if move.before.position is not None and move.after.position is not None and move.steps:
            moves.append(move)
    moves.sort(key=lambda m: (-abs(m.steps), m.station_code))
    displays = all_grade_displays()
    context.update(
        figure=figure_payload(figure),
        from_period=format_period(from_period),
        to_period=format_period(to_period),
        grades=displays,
        transition_rows=[
            (row, [(column, table[(row.code, column.code)]) for column in displays])
            for row in displays
        ],
        moved_up=[m for m in moves if m.steps > 0],
        moved_down=[m for m in moves if m.steps < 0],
    )
    return render(request, "mapviews/history.html", context)
