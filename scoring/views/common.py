"""What the weight and grading-rule pages share: the governed months and their re-grades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.periods import add_months, format_period
from mapviews.selectors import company_for_user
from scoring.models import MethodVersion, RunStatus, ScoreRun, WeightSet
from scoring.review import waiting_proposal
from scoring.selectors import current_run, current_runs, periods_with_data
from scoring.services import PublishRefused, months_governed_by, publish_run
from stations.models import Company

#: How long the version page waits before looking at its re-grades again.
PROGRESS_REFRESH_SECONDS = 3


def company_or_404(request: HttpRequest) -> Company:
    company = company_for_user(request.user)
    if company is None:
        raise Http404(_("There is no company yet: import stations first."))
    return company


@dataclass(frozen=True)
class GovernedMonth:
    period: date
    published: ScoreRun | None
    waiting: ScoreRun | None  # a re-grade waiting to be published

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def pending(self) -> bool:
        return self.waiting is not None and self.waiting.status in (
            RunStatus.QUEUED,
            RunStatus.RUNNING,
        )

    @property
    def ready(self) -> bool:
        return (
            self.waiting is not None
            and self.waiting.status == RunStatus.DONE
            and not self.waiting.unchanged
        )


def governed_months(version: WeightSet | MethodVersion) -> list[GovernedMonth]:
    months = []
    for period in months_governed_by(version):
        months.append(
            GovernedMonth(
                period=period,
                published=current_run(version.company_id, period),
                waiting=waiting_proposal(version.company_id, period),
            )
        )
    return months


def preview_month(company: Company, effective_from: date) -> date | None:
    """The month a preview shows: the effective month, or the latest month with data
    before it when it has none yet."""
    months = periods_with_data(company.pk)
    if effective_from in months:
        return effective_from
    earlier = [month for month in months if month < effective_from]
    return earlier[-1] if earlier else None


def regrade_plan(company: Company, effective_from: date, model) -> dict:
    """What saving a version from the month will do: months already published get a
    re-grade to review; the others are graded at once (until a later version's month)."""
    later = (
        model.objects.filter(company=company, effective_from__gt=effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    months = [
        month
        for month in periods_with_data(company.pk, since=effective_from)
        if later is None or month < later
    ]
    published = set(
        ScoreRun.objects.filter(company=company, period__in=months, is_current=True).values_list(
            "period", flat=True
        )
    )
    return {
        "regraded": [format_period(m) for m in months if m in published],
        "graded_now": [format_period(m) for m in months if m not in published],
        "until": format_period(later) if later else None,
    }


def publish_from_request(request: HttpRequest, company: Company) -> None:
    """Publish the re-grades of the company the form names (``run`` ids); say what
    happened to each."""
    run_ids = [int(value) for value in request.POST.getlist("run") if value.isdigit()]
    done = 0
    for run_id in run_ids:
        run = ScoreRun.objects.filter(pk=run_id, company=company).first()
        if run is None:
            continue
        try:
            publish_run(run_id, request.user)
            done += 1
        except PublishRefused as refusal:
            messages.error(request, f"{format_period(run.period)}: {refusal}")
    if done:
        messages.success(
            request,
            ngettext(
                "Published the new grades of %(count)d month.",
                "Published the new grades of %(count)d months.",
                done,
            )
            % {"count": done},
        )


def progress_context(version: WeightSet | MethodVersion) -> dict:
    """The version page's months, its re-grades' progress and what can be published."""
    months = governed_months(version)
    pending = any(month.pending for month in months)
    return {
        "months": months,
        "computed": sum(1 for month in months if month.waiting and not month.pending),
        "waiting": sum(1 for month in months if month.waiting),
        "ready": [month for month in months if month.ready],
        "refresh_seconds": PROGRESS_REFRESH_SECONDS if pending else None,
    }


#: How many of the latest scored months the version lists offer to review.
REVIEW_MONTHS = 6


def review_months(company: Company) -> list[str]:
    """The latest scored months, newest first (links to compare each with the latest
    weights and grading rules)."""
    periods = sorted({run.period for run in current_runs(company.pk)}, reverse=True)
    return [format_period(period) for period in periods[:REVIEW_MONTHS]]


def next_month_label(company: Company) -> str:
    """The month after the latest scored one: the usual start of a new version."""
    periods = [run.period for run in current_runs(company.pk)]
    return format_period(add_months(max(periods), 1)) if periods else ""
