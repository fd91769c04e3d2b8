"""The committee's review of a month's weak stations."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from improvement.selectors import StationWork
from improvement.selectors.bulletin import WEAK
from improvement.selectors.review import HISTORY_MONTHS, TREND_MONTHS, page_grades, review_rows
from improvement.selectors.weaklist import weak_counts, weak_order
from improvement.selectors.work import company_work
from mapviews.pagecache import render_kept
from mapviews.sorting import Sort
from mapviews.sparklines import labelled_sparkline
from scoring.viewer import chosen_month, month_context
from stations.roles import VIEW_ALL_DETAILS, can_manage_station

#: Weak stations per page: each row is long (weak indicators, trend, work), and the demo
#: company's 36–44 weak stations a month still fit on one.
PAGE_SIZE = 50


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def review(request: HttpRequest) -> HttpResponse:
    """The weak stations a page at a time: counted and cut in the database, the rows of
    the page read in full; the body kept rendered (``mapviews.pagecache``)."""
    return render_kept(
        request,
        "improvement/review",
        lambda: _review_context(request),
        keep=("period",),
    )


def _review_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context = month_context(month, request)
    context["request_path"] = request.path  # the tabs mark the page shown
    unattended_only = request.GET.get("unattended") == "1"
    context.update(unattended_only=unattended_only, history_months=HISTORY_MONTHS,
                   trend_months=TREND_MONTHS)  # fmt: skip
    if month.run is None or month.company is None or month.period is None:
        return context
    order = weak_order(month.run, month.county_id)
    work = company_work(month.company.pk, month.period)
    counts = weak_counts(order, work)
    listed = [sid for sid in order if sid not in work] if unattended_only else list(order)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    station_ids = list(page)
    rows = review_rows(
        page_grades(month.run, station_ids),
        month.company.pk,
        station_ids,
        {station_id: work.get(station_id) or StationWork() for station_id in station_ids},
    )
    context.update(
        weak_count=counts.total,
        unattended_count=counts.unattended,
        page=page,
        sort=Sort("", False, request.GET),
        whole_list={
            file_format: reverse(
                "improvement:bulletin_list", args=[context["period"], WEAK, file_format]
            )
            for file_format in ("csv", "xlsx")
        },
        rows=[
            (
                row,
                labelled_sparkline(month.period, row.scores, row.grades),
                can_manage_station(request.user, row.station),
            )
            for row in rows
        ],
    )
    return context
