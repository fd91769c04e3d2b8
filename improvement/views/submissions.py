"""What has arrived for a month: the page for administrators and the responsible
departments, its downloads, and the reminders."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from improvement.selectors.submissions import (
    ROWS_SHOWN,
    anomaly_rows,
    missing_rows,
    submissions,
    visible_indicators,
)
from improvement.services.submission_notices import send_missing_reminders
from indicators.models import IndicatorValue
from indicators.periods import format_period
from scoring.monthstate import rules_for
from scoring.viewer import parse_month
from scoring.views.common import company_or_404
from stations.roles import can_close_months


def _month(request: HttpRequest, company):
    """The month asked for, else the newest with any value (else this month)."""
    asked = parse_month(request.GET.get("period", "") or request.POST.get("period", ""))
    if asked is not None:
        return asked
    newest = (
        IndicatorValue.objects.filter(station__county__company=company)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return newest or timezone.localdate().replace(day=1)


def _indicators(request: HttpRequest, period):
    indicators = visible_indicators(request.user, period)
    if indicators is None:
        raise PermissionDenied(_("Only administrators and the responsible departments see this."))
    return indicators


def _jump_indicator(request: HttpRequest, indicators):
    """The indicator whose jumps the page shows (?indicator=code; default the first)."""
    code = request.GET.get("indicator", "")
    if not code:
        return None
    chosen = next((ind for ind in indicators if ind.code == code), None)
    if chosen is None:
        raise BadRequest(_("There is no such indicator here: %s") % code[:40])
    return chosen


@require_GET
def submission_page(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    period = _month(request, company)
    indicators = _indicators(request, period)
    rules = rules_for(company)
    report = submissions(
        company,
        period,
        indicators,
        due_day=rules.due_day,
        today=timezone.localdate(),
        jump_indicator=_jump_indicator(request, indicators),
    )
    return render(
        request,
        "improvement/submissions.html",
        {
            "company": company,
            "period": format_period(period),
            "report": report,
            "rows_shown": ROWS_SHOWN,
            "may_remind": can_close_months(request.user),
            "due_day": rules.due_day,
            "indicators": indicators,
        },
    )


@require_POST
def remind(request: HttpRequest) -> HttpResponse:
    if not can_close_months(request.user):
        raise PermissionDenied(_("Only administrators send reminders."))
    company = company_or_404(request)
    period = _month(request, company)
    indicators = _indicators(request, period)
    rules = rules_for(company)
    report = submissions(
        company, period, indicators, due_day=rules.due_day, today=timezone.localdate()
    )
    count = send_missing_reminders(
        company=company,
        period=period,
        arrivals=report.arrivals,
        due_day=rules.due_day,
        user=request.user,
    )
    if count:
        messages.success(request, _("Reminders sent to %d people.") % count)
    else:
        messages.info(request, _("Nothing is missing: no reminder was sent."))
    return redirect(reverse("improvement:submissions") + f"?period={format_period(period)}")


ANOMALY_COLUMNS = (
    "kind", "station_code", "station_name", "indicator_code", "value", "median_12m", "robust_z",
)  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(name: str, header: tuple, rows: Iterable[tuple]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def missing_download(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month = parse_month(period)
    indicators = _indicators(request, month)
    return _csv(
        f"missing-{period}.csv",
        ("station_code", "station_name", "indicator_code", "indicator_name"),
        missing_rows(company, month, indicators),
    )


@require_GET
def anomaly_download(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month = parse_month(period)
    indicators = _indicators(request, month)
    return _csv(
        f"anomalies-{period}.csv",
        (
            "kind",
            "station_code",
            "station_name",
            "indicator_code",
            "value",
            "median_12m",
            "robust_z",
        ),
        anomaly_rows(company, month, indicators),
    )
