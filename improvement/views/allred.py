"""The "all red" view: red stations over time and who is closest to the next colour."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from improvement.selectors.allred import closest_to_next_colour, red_counts
from mapviews.charts import figure_payload, red_over_time_figure
from mapviews.sorting import Sort
from mapviews.staticfinders import plotly_static_path
from scoring.engine.grades import GRADE_ORDER
from scoring.grades import grade_display
from scoring.viewer import chosen_month, month_context, paginate

#: Months of the table under the chart (newest first).
TABLE_MONTHS = 12


@require_GET
def all_red(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    context["plotly_js"] = plotly_static_path()
    if month.company is None or month.run is None:
        return render(request, "improvement/all_red.html", context)
    counts = red_counts(month.company.pk, month.county_id)
    figure = red_over_time_figure(
        counts,
        red_label=grade_display("red").label,
        total_label=_("Stations graded"),
        count_label=_("Stations"),
    )
    table = counts.tail(TABLE_MONTHS).iloc[::-1]
    colour = request.GET.get("grade", "")
    colour = colour if colour in GRADE_ORDER[1:] else ""
    closest = closest_to_next_colour(month.run, month.county_id, colour or None)
    now = counts[counts["period"] == context["period"]]
    context.update(
        figure=figure_payload(figure),
        months=[
            (row.period, int(row.red), int(row.graded), row.red / row.graded if row.graded else 0)
            for row in table.itertuples()
        ],
        red_now=int(now["red"].iloc[0]) if len(now) else 0,
        graded_now=int(now["graded"].iloc[0]) if len(now) else 0,
        page=paginate(request, closest),
        sort=Sort("", False, request.GET),
        colour=colour,
        colours=[grade_display(code) for code in GRADE_ORDER[1:]],
        red_quota=_red_quota(month.run.method_params),
    )
    return render(request, "improvement/all_red.html", context)


def _red_quota(method_params: dict) -> int | None:
    """The share of stations graded red (%) when the month was graded by quotas: then the
    number of red stations is fixed by the rule and cannot show progress."""
    if method_params.get("grading") != "quotas":
        return None
    return (method_params.get("quotas_pct") or [None])[0]
