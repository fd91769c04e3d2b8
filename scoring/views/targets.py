"""Targets and floors (the method's goalposts): those in force with their history, and
new targets as a new method version, previewed and saved like the grading rules.

A new version is the method in force at its month with the goalposts replaced; its page
is the grading-rule version's (``scoring:method_detail``), which shows its targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.decorators import permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.engine import ScoringMethod
from scoring.forms import TargetsForm
from scoring.goalposts import relative_method_error, target_diff, targets_of, with_targets
from scoring.models import MethodVersion
from scoring.selectors import method_in_force, method_of
from scoring.views.common import (
    company_or_404,
    method_version_step,
    next_month_label,
    source_context,
)
from scoring.views.methods import MANAGE_RULES, VIEW_RULES, describe_rules


def _newest(company) -> MethodVersion | None:
    """The version that grades the newest months: the latest effective month's."""
    return (
        MethodVersion.objects.filter(company=company)
        .select_related("created_by")
        .order_by("-effective_from", "-version")
        .first()
    )


def _active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True).order_by("display_order", "code"))


@permission_required(VIEW_RULES, raise_exception=True)
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    newest = _newest(company)
    source = source_context(company, MethodVersion, describe_rules, user=request.user)
    inherited = source.get("source") and source["source"].inherited
    # An inheriting company is graded by its unit's targets: those are in force.
    method = method_of(source["source"].version if inherited else newest)
    history = target_history(MethodVersion.objects.filter(company=company), indicators)
    active = [indicator for indicator in indicators if indicator.active]
    return render(
        request,
        "scoring/target_list.html",
        {
            "company": company,
            "in_force": newest,
            "relative": method.relative,
            "method_label": method.label,
            "rows": target_diff(method, method, active),
            "history": history,
            "source_kind": "rules",
            **source,
        },
    )


def target_history(versions: QuerySet[MethodVersion], indicators: list[Indicator]) -> list[dict]:
    """The versions (a company's or a unit's) that changed a target, newest first, each
    with its changes."""
    history = []
    before = ScoringMethod()
    for version in versions.select_related("created_by").order_by("effective_from", "version"):
        after = method_of(version)
        changes = [row for row in target_diff(before, after, indicators) if row["changed"]]
        if changes:
            history.append({"version": version, "changes": changes})
        before = after
    history.reverse()
    return history


def target_initial(method: ScoringMethod, indicators: list[Indicator]) -> dict:
    """The targets form's floors and targets, filled from a method."""
    initial = {}
    for code, target in targets_of(method, indicators).items():
        initial[TargetsForm.field_name("floor", code)] = f"{target.floor:.15g}"
        initial[TargetsForm.field_name("target", code)] = f"{target.target:.15g}"
    return initial


@permission_required(MANAGE_RULES, raise_exception=True)
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, filled with the newest version's targets. POST "preview": the
    form checked and the month graded under it, nothing saved. POST "save": the version
    saved (the method in force at its month, with these targets)."""
    company = company_or_404(request)
    indicators = _active_indicators()
    current = method_of(_newest(company))
    initial = {"effective_from": next_month_label(company), **target_initial(current, indicators)}
    form = TargetsForm(request.POST or None, indicators=indicators, initial=initial)
    context: dict = {
        "company": company,
        "form": form,
        "relative": current.relative,
        "method_label": current.label,
        "source_kind": "rules",
        **source_context(company, MethodVersion, describe_rules),
    }
    if request.method == "POST" and form.is_valid():
        return targets_posted(
            request,
            form,
            indicators,
            context,
            in_force_at=lambda month: method_in_force(company.pk, month),
            step=lambda method, effective_from, reason: method_version_step(
                request,
                company,
                method,
                effective_from=effective_from,
                reason=reason,
                saved_text=_(
                    "Saved the targets as grading rules version %(version)d, effective from "
                    "%(period)s."
                ),
            ),
            template="scoring/target_new.html",
        )
    return render(request, "scoring/target_new.html", context)


#: A new grading-rule version saved if its preview was confirmed: (the redirect, or None
#: and the preview's context), from the method, its effective month and the reason.
MethodStep = Callable[[ScoringMethod, date, str], tuple[HttpResponse | None, dict]]


def targets_posted(
    request: HttpRequest,
    form: TargetsForm,
    indicators: list[Indicator],
    context: dict,
    *,
    in_force_at: Callable[[date], ScoringMethod],
    step: MethodStep,
    template: str,
) -> HttpResponse:
    """A valid targets form of an owner (a company, a unit): the method in force at the
    effective month with these targets, refused when that method is relative; saved, or
    previewed beside the targets it replaces."""
    effective_from = form.cleaned_data["effective_from"]
    # Every other setting is the one in force at the effective month.
    in_force = in_force_at(effective_from)
    refusal = relative_method_error(in_force, format_period(effective_from))
    if refusal:
        form.add_error(None, refusal)
        return render(request, template, context)
    method = with_targets(in_force, form.targets())
    saved, previewed = step(method, effective_from, form.cleaned_data["reason"])
    if saved:
        return saved
    context.update(
        relative=method.relative,
        method_label=method.label,
        diff=target_diff(in_force, method, indicators),
        **previewed,
    )
    return render(request, template, context)
