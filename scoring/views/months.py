"""One month as published beside the same month graded otherwise: its waiting re-grade,
or (when none waits) the latest weights and grading rules."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.periods import PeriodError, format_period, month_start, parse_period
from scoring.engine import ScoringMethod
from scoring.methodsource import method_source
from scoring.models import MethodVersion, RunStatus, WeightSet
from scoring.regrade_preview import preview, review, waiting_proposal
from scoring.selectors import current_run
from scoring.views.common import company_or_404, publish_from_request
from scoring.views.weights import MANAGE_WEIGHTS, VIEW_WEIGHTS, weights_of


def _period(text: str):
    try:
        return parse_period(text)
    except PeriodError:
        raise Http404(_("No such month: %s") % text) from None


@permission_required(VIEW_WEIGHTS, raise_exception=True)
def month_review(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month = _period(period)
    published = current_run(company.pk, month)
    if published is None:
        raise Http404(_("%s has not been scored.") % format_period(month))
    waiting = waiting_proposal(company.pk, month)
    latest_weights = (
        WeightSet.objects.filter(company=company).order_by("-effective_from", "-version").first()
    )
    latest_method = (
        MethodVersion.objects.filter(company=company)
        .order_by("-effective_from", "-version")
        .first()
    )
    # A company that inherits a unit's common version is compared with that one: its own
    # latest does not grade its months.
    this_month = month_start(timezone.localdate())
    weights_source = method_source(WeightSet, company, this_month)
    if weights_source.inherited:
        latest_weights = weights_source.version
    method_source_now = method_source(MethodVersion, company, this_month)
    if method_source_now.inherited:
        latest_method = method_source_now.version
    if waiting is not None and waiting.status == RunStatus.DONE:
        comparison, against = review(waiting), "waiting"
    else:
        method = ScoringMethod.from_record(latest_method.params) if latest_method else None
        comparison = preview(
            company.pk,
            month,
            weights=weights_of(latest_weights),
            method=method or ScoringMethod(),
        )
        against = "latest"
    return render(
        request,
        "scoring/month_review.html",
        {
            "company": company,
            "period": format_period(month),
            "published": published,
            "waiting": waiting,
            "against": against,
            "comparison": comparison,
            "latest_weights": latest_weights,
            "latest_method": latest_method,
        },
    )


@permission_required(MANAGE_WEIGHTS, raise_exception=True)
@require_POST
def month_publish(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    _period(period)
    publish_from_request(request, company)
    return redirect("scoring:month_review", period=period)
