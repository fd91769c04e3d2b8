"""Grading-rule versions (the scoring method's normalisation, grading and coverage), like
weights: history, a new version with its preview, and the review of the months it
re-grades."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from indicators.models import Indicator
from scoring.engine import ScoringMethod
from scoring.forms import GradingForm, describe_grading
from scoring.goalposts import target_diff
from scoring.models import MethodVersion
from scoring.selectors import governing_before, method_in_force, method_of
from scoring.views.common import (
    company_or_404,
    method_version_step,
    next_month_label,
    progress_context,
    publish_from_request,
    review_months,
    source_context,
)

MANAGE_RULES = "scoring.add_methodversion"
VIEW_RULES = "scoring.view_methodversion"


def other_settings(method: ScoringMethod) -> dict:
    """The settings this page keeps as they are (changed with ``manage.py set_method``)."""
    record = method.as_record()
    for name in ("normalisation", "grading", "quotas_pct", "thresholds", "coverage_min_pct"):
        record.pop(name, None)
    return record


@permission_required(VIEW_RULES, raise_exception=True)
def method_list(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    return render(
        request,
        "scoring/method_list.html",
        {
            "company": company,
            "rows": method_rows(MethodVersion.objects.filter(company=company)),
            "default": describe_grading(ScoringMethod()),
            "review_months": review_months(company),
            "source_kind": "rules",
            **source_context(company, MethodVersion, describe_rules, user=request.user),
        },
    )


def describe_rules(version: MethodVersion | None) -> str:
    return describe_grading(method_of(version))


def method_rows(versions: QuerySet[MethodVersion]) -> list[dict]:
    """The history of an owner's grading-rule versions (a company's or a unit's), each
    row beside the one it follows in effect."""
    ordered = list(versions.select_related("created_by").order_by("-effective_from", "-version"))
    rows = []
    for index, version in enumerate(ordered):
        previous = ordered[index + 1] if index + 1 < len(ordered) else None
        rows.append(
            {
                "version": version,
                "grading": describe_rules(version),
                "before": describe_rules(previous),
            }
        )
    return rows


@permission_required(MANAGE_RULES, raise_exception=True)
@require_http_methods(["GET", "POST"])
def method_new(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    latest = (
        MethodVersion.objects.filter(company=company)
        .order_by("-effective_from", "-version")
        .first()
    )
    current = method_of(latest)
    form = GradingForm(
        request.POST or None, method=current, initial={"effective_from": next_month_label(company)}
    )
    context: dict = {
        "company": company,
        "form": form,
        "other": other_settings(current),
        "source_kind": "rules",
        **source_context(company, MethodVersion, describe_rules),
    }
    if request.method == "POST" and form.is_valid():
        effective_from = form.cleaned_data["effective_from"]
        # The other settings are those in force at the effective month (a version dated
        # before the newest one must not take that one's settings back in time).
        form.method = method_in_force(company.pk, effective_from)
        context["other"] = other_settings(form.method)
        method = form.new_method()
        saved, previewed = method_version_step(
            request,
            company,
            method,
            effective_from=effective_from,
            reason=form.cleaned_data["reason"],
            saved_text=_("Saved grading rules version %(version)d, effective from %(period)s."),
        )
        if saved:
            return saved
        context.update(
            before=describe_grading(form.method),
            after=describe_grading(method),
            **previewed,
        )
    return render(request, "scoring/method_new.html", context)


@permission_required(VIEW_RULES, raise_exception=True)
def method_detail(request: HttpRequest, version: int) -> HttpResponse:
    company = company_or_404(request)
    method_version = get_object_or_404(
        MethodVersion.objects.select_related("created_by"), company=company, version=version
    )
    previous = governing_before(method_version)
    method = method_of(method_version)
    indicators = Indicator.objects.filter(
        Q(active=True) | Q(code__in=[code for code, _bounds in method.goalposts])
    ).order_by("display_order", "code")
    return render(
        request,
        "scoring/method_detail.html",
        {
            "company": company,
            "version": method_version,
            "grading": describe_grading(method),
            "before": describe_grading(method_of(previous)),
            "targets": target_diff(method_of(previous), method, list(indicators)),
            "relative": method.relative,
            "method_label": method.label,
            "previous": previous,
            **progress_context(method_version, request),
        },
    )


@permission_required(MANAGE_RULES, raise_exception=True)
@require_POST
def method_publish(request: HttpRequest, version: int) -> HttpResponse:
    company = company_or_404(request)
    get_object_or_404(MethodVersion, company=company, version=version)
    publish_from_request(request, company)
    return redirect("scoring:method_detail", version=version)
