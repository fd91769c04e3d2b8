"""The monthly bulletin (月度通报) for the party committee: a printable page, and the same
bulletin as Excel and PDF downloads, in the viewer's language."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from improvement.engine.progress import PROGRESS_GROUPS
from improvement.selectors.bulletin import Bulletin, read_bulletin
from improvement.text import bulletin as text
from indicators.periods import PeriodError, format_period, parse_period
from scoring.viewer import chosen_month, month_context
from stations.roles import VIEW_ALL_DETAILS
from stations.viewer import company_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def bulletin(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    context.update(counties=[], county_id=None)  # the bulletin is of the whole company
    report = read_bulletin(month.company, month.period) if month.run is not None else None
    if report is not None:
        context.update(_page_context(report))
    context["bulletin"] = report
    return render(request, "improvement/bulletin.html", context)


def _page_context(report: Bulletin) -> dict:
    """The bulletin with the words the files use, shaped for the template."""
    return {
        "title": text.title(report),
        "summary": text.summary(report),
        "previous_period_text": (
            format_period(report.previous_period) if report.previous_period else None
        ),
        "moves": [(move, text.move_text(move)) for move in (*report.moved_up, *report.moved_down)],
        "weak_rows": [
            (
                station,
                text.weak_months_value(station),
                text.work_lines(station.work, station.station.pk),
            )
            for station in report.weak
        ],
        "project_groups": [
            (group, text.group_text(group), [(line, text.state_text(line)) for line in lines])
            for group in PROGRESS_GROUPS
            if (lines := report.projects_in(group))
        ],
    }


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def bulletin_download(
    request: HttpRequest, period: str, file_format: str
) -> HttpResponse | FileResponse:
    company = company_for_user(request.user)
    try:
        month = parse_period(period)
    except PeriodError:
        return _not_found(_("No such month: %s") % period)
    report = read_bulletin(company, month) if company is not None else None
    if report is None:
        return _not_found(
            _("%(period)s has no scores, so there is no bulletin for it.") % {"period": period}
        )
    if file_format == "pdf":
        from improvement.reports.pdf import bulletin_pdf

        content, content_type = bulletin_pdf(report), "application/pdf"
    else:
        from improvement.reports.xlsx import bulletin_xlsx

        content, content_type = bulletin_xlsx(report), XLSX
    # Django writes the name as RFC 6266/5987 asks: plain when ASCII, filename*=utf-8'' when
    # it is Chinese (通报-2026-10.pdf).
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{text.file_stem(report)}.{file_format}",
        content_type=content_type,
    )


def _not_found(message: str) -> HttpResponse:
    return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")
