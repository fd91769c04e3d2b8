"""The committee's review of a month's weak stations."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from improvement.engine.weakness import weak_stations
from improvement.selectors import month_grades, work_by_station
from improvement.selectors.review import HISTORY_MONTHS, TREND_MONTHS, review_rows
from mapviews.charts import sparkline
from mapviews.sorting import Sort
from scoring.viewer import chosen_month, month_context, paginate
from stations.models import Station
from stations.roles import VIEW_ALL_DETAILS, can_manage_station


@require_GET
@permission_required(VIEW_ALL_DETAILS, raise_exception=True)
def review(request: HttpRequest) -> HttpResponse:
    month = chosen_month(request)
    context = month_context(month, request)
    unattended_only = request.GET.get("unattended") == "1"
    context.update(unattended_only=unattended_only, history_months=HISTORY_MONTHS,
                   trend_months=TREND_MONTHS)  # fmt: skip
    grades = month_grades(month.company.pk, month.period) if month.run is not None else None
    if grades is None:
        return render(request, "improvement/review.html", context)
    weak = weak_stations(grades.grades, grades.indicator_grades)
    if month.county_id:
        in_county = set(
            Station.objects.filter(pk__in=weak, county_id=month.county_id).values_list(
                "pk", flat=True
            )
        )
        weak = [station_id for station_id in weak if station_id in in_county]
    work = work_by_station(weak, month.period)
    unattended = [station_id for station_id in weak if work[station_id].is_empty]
    page = paginate(request, unattended if unattended_only else weak)
    rows = review_rows(grades, month.company.pk, list(page), work)
    context.update(
        weak_count=len(weak),
        unattended_count=len(unattended),
        page=page,
        sort=Sort("", False, request.GET),
        rows=[
            (
                row,
                sparkline(row.scores, row.grades),
                can_manage_station(request.user, row.station.pk),
            )
            for row in rows
        ],
    )
    return render(request, "improvement/review.html", context)
