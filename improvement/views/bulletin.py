"""The monthly bulletin (月度通报) for the party committee: a printable page, and the same
bulletin as Excel and PDF downloads, in the viewer's language. Each of its lists shows
its first rows; the whole list is a download of its own (CSV or Excel)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from improvement.engine.progress import PROGRESS_GROUPS
from improvement.selectors.bulletin import LISTS, Bulletin, read_bulletin
from improvement.text import bulletin as text
from indicators.periods import PeriodError, format_period, parse_period
from mapviews.pagecache import render_kept
from scoring.viewer import chosen_month, month_context
from stations.roles import VIEW_ALL_DETAILS
from stations.viewer import viewed_company

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def bulletin(request: HttpRequest) -> HttpResponse:
    """The month's bulletin; its body kept rendered (``mapviews.pagecache``)."""
    return render_kept(
        request,
        "improvement/bulletin",
        lambda: _bulletin_context(request),
        keep=("period",),
    )


def _bulletin_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context = month_context(month, request)
    context["request_path"] = request.path  # the tabs mark the page shown
    context.update(counties=[], county_id=None)  # the bulletin is of the whole company
    report = read_bulletin(month.company, month.period) if month.run is not None else None
    if report is not None:
        context.update(_page_context(report))
    context["bulletin"] = report
    return context


def _page_context(report: Bulletin) -> dict:
    """The bulletin with the words the files use, shaped for the template."""
    up, down, weak = report.moved_up, report.moved_down, report.weak
    groups = [(group, report.projects_shown(group)) for group in PROGRESS_GROUPS]
    return {
        "title": text.title(report),
        "summary": text.summary(report),
        "previous_period_text": (
            format_period(report.previous_period) if report.previous_period else None
        ),
        "moves": [(move, text.move_text(move)) for move in (*up.rows, *down.rows)],
        "moves_more": [
            (text.shown_text(listing), more(listing.more))
            for listing, more in ((up, text.more_moved_up), (down, text.more_moved_down))
            if listing.more
        ],
        "weak_rows": [
            (
                station,
                text.weak_months_value(station),
                text.work_lines(station.work, station.station.pk),
            )
            for station in weak.rows
        ],
        "weak_more": [(text.shown_text(weak), text.more_weak(weak.more))] if weak.more else [],
        "project_groups": [
            (
                group,
                text.group_text(group),
                listing.total,
                [(line, text.state_text(line)) for line in listing.rows],
                [(text.shown_text(listing), text.more_projects(listing.more))]
                if listing.more
                else [],
            )
            for group, listing in groups
            if listing.total
        ],
        "whole_lists": {key: whole_list_urls(report, key) for key in LISTS},
    }


def whole_list_urls(report: Bulletin, key: str) -> dict[str, str]:
    """The whole list's downloads: file format → address."""
    period = format_period(report.period)
    return {
        file_format: reverse("improvement:bulletin_list", args=[period, key, file_format])
        for file_format in ("csv", "xlsx")
    }


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def bulletin_download(
    request: HttpRequest, period: str, file_format: str
) -> HttpResponse | FileResponse:
    """The bulletin as PDF or Excel: its lists cut as on the page, each with the address
    of its whole list."""
    report = _read(request, period)
    if isinstance(report, HttpResponse):
        return report
    whole_lists = {
        key: request.build_absolute_uri(whole_list_urls(report, key)["xlsx"]) for key in LISTS
    }
    if file_format == "pdf":
        from improvement.reports.pdf import bulletin_pdf

        content, content_type = bulletin_pdf(report, whole_lists), "application/pdf"
    else:
        from improvement.reports.xlsx import bulletin_xlsx

        content, content_type = bulletin_xlsx(report, whole_lists), XLSX
    return _file(content, content_type, f"{text.file_stem(report)}.{file_format}")


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def bulletin_list(
    request: HttpRequest, period: str, list_key: str, file_format: str
) -> HttpResponse | FileResponse:
    """One of the bulletin's lists, every row, as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    report = _read(request, period, list_key)
    if isinstance(report, HttpResponse):
        return report
    section = next(section for section in text.sections(report) if section.key == list_key)
    if file_format == "csv":
        from improvement.reports.tables import section_csv

        content, content_type = section_csv(section), CSV
    else:
        from improvement.reports.xlsx import section_xlsx

        content, content_type = section_xlsx(section), XLSX
    return _file(content, content_type, f"{text.file_stem(report)}-{list_key}.{file_format}")


def _read(request: HttpRequest, period: str, whole: str | None = None) -> Bulletin | HttpResponse:
    """The month's bulletin (``whole``: that list complete, the others only counted), or
    the 404 that says why there is none."""
    company = viewed_company(request)
    try:
        month = parse_period(period)
    except PeriodError:
        return _not_found(_("No such month: %s") % period)
    report = None
    if company is not None:
        report = (
            read_bulletin(company, month)
            if whole is None
            else read_bulletin(company, month, limit=None, lists=[whole])
        )
    if report is None:
        return _not_found(
            _("%(period)s has no scores, so there is no bulletin for it.") % {"period": period}
        )
    return report


def _file(content: bytes, content_type: str, filename: str) -> FileResponse:
    # Django writes the name as RFC 6266/5987 asks: plain when ASCII, filename*=utf-8'' when
    # it is Chinese (通报-2026-10.pdf).
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type
    )


def _not_found(message: str) -> HttpResponse:
    return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")
