"""The league table of a month, and its CSV / Excel download."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.models import Indicator
from indicators.periods import add_months, format_period
from mapviews import selectors
from mapviews.filters import carries_filters
from mapviews.pagecache import render_kept
from mapviews.sorting import chosen_sort
from mapviews.sparklines import labelled_sparkline
from mapviews.tables import RankingTable, ranking_rows, ranking_table
from scoring.exports import score_export_frame, to_xlsx
from scoring.grades import grade_display, ungraded_reason_text
from scoring.viewer import MonthChoice, chosen_month, month_context, paginate
from stations.roles import can_see_all_details

SPARKLINE_MONTHS = 12


@require_GET
@carries_filters()
def ranking(request: HttpRequest) -> HttpResponse:
    return render_kept(
        request,
        "mapviews/ranking",
        lambda: _ranking_context(request),
        keep=("period",),
    )


def _ranking_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context = month_context(month, request)
    sort = chosen_sort(request, list(RankingTable.SORTS), "rank")
    page = paginate(request, [])
    counts = selectors.grade_counts([])
    if month.run is not None:
        table = ranking_table(month.company.pk, month.period, month.county_id, month.runs)
        total, counts = table.totals()
        page = paginate(request, table.in_order(sort.key, sort.descending), total)
        page.object_list = ranking_rows(page.object_list)
    rows = list(page.object_list)
    sparklines = _sparklines(month, [row.station.pk for row in rows]) if rows else {}
    context.update(
        rows=rows,
        page=page,
        table=[(row, sparklines.get(row.station.pk)) for row in rows],
        legend=selectors.legend(counts),
        sort=sort,
    )
    return context


def _sparklines(month: MonthChoice, station_ids: list[int]) -> dict[int, dict]:
    """The last 12 months of each listed station as an inline-SVG sparkline."""
    trails = selectors.score_trails(station_ids, month.period, SPARKLINE_MONTHS)
    months = [add_months(month.period, -k) for k in range(SPARKLINE_MONTHS - 1, -1, -1)]
    lines = {}
    for station_id in station_ids:
        by_month = {when: (score, grade) for when, score, grade in trails.get(station_id, [])}
        scores = [by_month.get(when, (None, ""))[0] for when in months]
        grades = [by_month.get(when, (None, ""))[1] for when in months]
        lines[station_id] = labelled_sparkline(month.period, scores, grades)
    return lines


def export_headers(columns) -> dict[str, str]:
    """Column headings of the page's download, in the viewer's language."""
    names = {
        "station_code": _("Station code"),
        "station_name": _("Station"),
        "county": _("County"),
        "period": _("Month"),
        "score": _("Score"),
        "rank": _("Rank"),
        "grade": _("Grade"),
        "coverage": _("Data coverage"),
        "ungraded_reason": _("Why ungraded"),
    }
    indicators = {i.code: i.name for i in Indicator.objects.all()}
    for column in columns:
        code = column.removeprefix("norm_")
        if column.startswith("norm_"):
            name = indicators.get(code, code)
            names[column] = _("%(indicator)s (normalised)") % {"indicator": name}
    return names


@require_GET
def ranking_export(request: HttpRequest, file_format: str) -> HttpResponse | FileResponse:
    """The month's scores as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    month = chosen_month(request)
    if month.run is None:
        return HttpResponse(_("This month has no scores."), status=404, content_type="text/plain")
    frame = score_export_frame(month.company.pk, month.period, month.county_id)
    if not can_see_all_details(request.user):  # indicator detail is not public
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("norm_")])
    minimum = month.run.method_params.get("coverage_min_pct")
    frame["grade"] = frame["grade"].map(lambda code: grade_display(code).label)
    frame["ungraded_reason"] = [
        ungraded_reason_text(reason, coverage, minimum) if reason else ""
        for reason, coverage in zip(frame["ungraded_reason"], frame["coverage"], strict=True)
    ]
    headers = export_headers(frame.columns)
    name = f"station-scores-{format_period(month.period)}"
    if file_format == "csv":
        readable = frame.rename(columns=headers)
        content = readable.to_csv(index=False).encode("utf-8-sig")
        content_type = "text/csv; charset=utf-8"
    else:
        content = to_xlsx(frame, format_period(month.period), headers)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{name}.{file_format}",
        content_type=content_type,
    )
