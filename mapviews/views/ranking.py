"""The league table of a month, and its CSV / Excel download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import add_months, format_period
from mapviews import selectors
from mapviews.charts import sparkline
from mapviews.sorting import chosen_sort, sort_rows
from mapviews.text import list_separator
from mapviews.views.common import chosen_month, month_context
from scoring.exports import score_export_frame, to_xlsx
from scoring.grades import all_grade_displays

SPARKLINE_MONTHS = 12
SORT_KEYS = {
    "rank": lambda row: row.rank,
    "station": lambda row: row.station.name,
    "county": lambda row: row.station.county.name,
    "score": lambda row: row.score,
    "change": lambda row: row.rank_change,
}


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    rows = []
    if month.run is not None:
        rows = selectors.ranking_rows(month.company.pk, month.period, month.county_id)
    sort = chosen_sort(request, list(SORT_KEYS), "rank")
    rows = sort_rows(rows, SORT_KEYS[sort.key], sort.descending)
    counts = selectors.grade_counts(rows)
    sparklines = {}
    if rows:
        trails = selectors.score_trails(
            month.company.pk, month.period, SPARKLINE_MONTHS, month.county_id
        )
        months = [add_months(month.period, -k) for k in range(SPARKLINE_MONTHS - 1, -1, -1)]
        for row in rows:
            by_month = {
                when: (score, grade) for when, score, grade in trails.get(row.station.pk, [])
            }
            scores = [by_month.get(when, (None, ""))[0] for when in months]
            grades = [by_month.get(when, (None, ""))[1] for when in months]
            line = sparkline(scores, grades)
            shown = [
                f"{format_period(m)} {s:.2f}"
                for m, s in zip(months, scores, strict=True)
                if s is not None
            ]
            line["title"] = _("Last 12 months: %(scores)s") % {
                "scores": list_separator().join(shown) or "–"
            }
            sparklines[row.station.pk] = line
    context.update(
        rows=rows,
        table=[(row, sparklines.get(row.station.pk)) for row in rows],
        legend=[(display, counts[display.code]) for display in all_grade_displays()],
        sort=sort,
    )
    return render(request, "mapviews/ranking.html", context)


@require_GET
def ranking_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The month's scores as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    month = chosen_month(request)
    if month.run is None:
        return HttpResponse(_("This month has no scores."), status=404, content_type="text/plain")
    frame = score_export_frame(month.company.pk, month.period, month.county_id)
    name = f"station-scores-{format_period(month.period)}"
    if file_format == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write(frame.to_csv(index=False).encode("utf-8-sig"))
    else:
        response = HttpResponse(
            to_xlsx(frame, format_period(month.period)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
