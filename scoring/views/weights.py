"""Weight versions: the history with diffs, a new version with its preview, and the
review and publishing of the months it re-grades."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from indicators.models import Indicator
from scoring.forms import WeightsForm
from scoring.models import WeightSet
from scoring.regrade_preview import preview
from scoring.selectors import NoWeightsError, effective_weight_set
from scoring.services import create_weight_set
from scoring.views.common import (
    company_or_404,
    next_month_label,
    preview_context,
    progress_context,
    publish_from_request,
    review_months,
    save_if_previewed,
    source_context,
)
from scoring.weightfile import weight_shares

MANAGE_WEIGHTS = "scoring.add_weightset"
VIEW_WEIGHTS = "scoring.view_weightset"  # the committee reads the versions and reviews


def weights_of(weight_set: WeightSet | None) -> dict[str, Decimal]:
    if weight_set is None:
        return {}
    return {
        row.indicator.code: row.weight for row in weight_set.weights.select_related("indicator")
    }


def weight_diff(
    indicators: list[Indicator], before: dict[str, Decimal], after: dict[str, Decimal]
) -> list[dict]:
    """One line per indicator: the weight before and after, each with its share of its
    version's total (percent), and whether it changed."""
    before_shares, after_shares = weight_shares(before), weight_shares(after)
    return [
        {
            "indicator": indicator,
            "before": before.get(indicator.code),
            "after": after.get(indicator.code),
            "before_share": before_shares.get(indicator.code),
            "after_share": after_shares.get(indicator.code),
            "changed": before.get(indicator.code) != after.get(indicator.code),
        }
        for indicator in indicators
        if indicator.code in before or indicator.code in after
    ]


def describe_weights(weight_set: WeightSet) -> str:
    """One line: each indicator's weight, in display order."""
    rows = weight_set.weights.select_related("indicator").order_by(
        "indicator__display_order", "indicator__code"
    )
    return "; ".join(f"{row.indicator.name} {row.weight.normalize():f}" for row in rows)


def indicator_list() -> list[Indicator]:
    return list(Indicator.objects.order_by("display_order", "code"))


@permission_required(VIEW_WEIGHTS, raise_exception=True)
def weight_list(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    return render(
        request,
        "scoring/weight_list.html",
        {
            "company": company,
            "rows": weight_rows(WeightSet.objects.filter(company=company)),
            "review_months": review_months(company),
            "source_kind": "weights",
            **source_context(company, WeightSet, describe_weights, user=request.user),
        },
    )


def weight_rows(versions: QuerySet[WeightSet]) -> list[dict]:
    """The history of an owner's weight versions (a company's or a unit's), newest first,
    each with what it changed from the one before."""
    ordered = list(
        versions.select_related("created_by")
        .prefetch_related("weights__indicator")
        .order_by("-version")
    )
    indicators = indicator_list()
    rows = []
    for index, version in enumerate(ordered):
        previous = ordered[index + 1] if index + 1 < len(ordered) else None
        diff = weight_diff(indicators, weights_of(previous), weights_of(version))
        rows.append(
            {
                "version": version,
                "changes": [line for line in diff if line["changed"]],
                "first": previous is None,
            }
        )
    return rows


@permission_required(MANAGE_WEIGHTS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def weight_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, filled with the latest version. POST "preview": the form checked
    and the month graded under it, nothing saved. POST "save": the version saved."""
    company = company_or_404(request)
    indicators = [i for i in indicator_list() if i.active]
    latest = WeightSet.objects.filter(company=company).order_by("-effective_from", "-version")
    initial = {
        "effective_from": next_month_label(company),  # as the grading-rules form does
        **{
            WeightsForm.field_name(code): weight
            for code, weight in weights_of(latest.first()).items()
        },
    }
    form = WeightsForm(request.POST or None, indicators=indicators, initial=initial)
    context: dict = {
        "company": company,
        "form": form,
        "source_kind": "weights",
        **source_context(company, WeightSet, describe_weights),
    }
    if request.method == "POST" and form.is_valid():
        weights = form.weights()
        effective_from = form.cleaned_data["effective_from"]
        shown = {
            "weights": {code: str(value) for code, value in weights.items()},
            "effective_from": effective_from.isoformat(),
            "reason": form.cleaned_data["reason"],
        }
        saved = save_if_previewed(
            request,
            shown,
            lambda: create_weight_set(
                company=company,
                weights=weights,
                effective_from=effective_from,
                reason=form.cleaned_data["reason"],
                user=request.user,
                publish=False,
            ),
            _("Saved weight version %(version)d, effective from %(period)s."),
            "scoring:weight_detail",
        )
        if saved:
            return saved
        try:
            before = weights_of(effective_weight_set(company.pk, effective_from))
        except NoWeightsError:
            before = {}
        context.update(
            diff=weight_diff(indicators, before, weights),
            **preview_context(
                company,
                shown,
                WeightSet,
                lambda month: preview(company.pk, month, weights=weights),
            ),
        )
    return render(request, "scoring/weight_new.html", context)


@permission_required(VIEW_WEIGHTS, raise_exception=True)
def weight_detail(request: HttpRequest, version: int) -> HttpResponse:
    company = company_or_404(request)
    weight_set = get_object_or_404(
        WeightSet.objects.select_related("created_by"), company=company, version=version
    )
    previous = (
        WeightSet.objects.filter(company=company, version__lt=version).order_by("-version").first()
    )
    return render(
        request,
        "scoring/weight_detail.html",
        {
            "company": company,
            "version": weight_set,
            "previous": previous,
            "diff": weight_diff(indicator_list(), weights_of(previous), weights_of(weight_set)),
            **progress_context(weight_set, request),
        },
    )


@permission_required(MANAGE_WEIGHTS, raise_exception=True)
@require_POST
def weight_publish(request: HttpRequest, version: int) -> HttpResponse:
    """Publish the re-grades asked for (the run ids in the form)."""
    company = company_or_404(request)
    get_object_or_404(WeightSet, company=company, version=version)
    publish_from_request(request, company)
    return redirect("scoring:weight_detail", version=version)
