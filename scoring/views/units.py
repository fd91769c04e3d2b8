"""A unit's common method (weights, grading rules, targets), inherited by the companies
below it unless they use their own: its versions, new versions previewed and saved like
a company's (the same forms and checks), and which companies inherit.

Who may read and publish: ``scoring.unitaccess`` (a unit outside the reader's part of the
tree is a 404). Saving goes through ``scoring.services.publish_unit_weights`` and
``publish_unit_method``, which re-grade the inheriting companies as one Celery group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from indicators.models import Indicator
from indicators.periods import format_period, month_start
from scoring.engine import ScoringMethod
from scoring.forms import GradingForm, TargetsForm, WeightsForm, describe_grading
from scoring.goalposts import target_diff
from scoring.methodsource import unit_version_in_force
from scoring.models import MethodVersion, WeightSet
from scoring.selectors import governing_before, method_of, unit_method_in_force
from scoring.services import publish_unit_method, publish_unit_weights
from scoring.unitaccess import (
    PUBLISH_RULES,
    PUBLISH_WEIGHTS,
    may_publish_at,
    may_read_unit_methods,
    publishing_rights,
    visible_unit_or_404,
)
from scoring.unitplan import (
    company_sources,
    governed_companies,
    next_month_below,
    rules_changes,
    unit_regrade_plan,
)
from scoring.views.common import PROGRESS_REFRESH_SECONDS, preview_token, save_if_previewed
from scoring.views.methods import describe_rules, method_rows, other_settings
from scoring.views.targets import target_history, target_initial, targets_posted
from scoring.views.weights import (
    describe_weights,
    indicator_list,
    weight_diff,
    weight_rows,
    weights_of,
)
from stations.models import OrgUnit

#: Far enough ahead that every version is in force: "the newest" common version.
_NEWEST = date(9999, 12, 1)


def _unit(request: HttpRequest, code: str, publish: str | None = None) -> OrgUnit:
    """The unit the page is about: a 404 outside the reader's tree, a 403 without the
    right to read versions (or, for a form, to publish them here)."""
    unit = visible_unit_or_404(request.user, code)
    if not may_read_unit_methods(request.user):
        raise PermissionDenied(_("This page is not open to your role."))
    if publish is not None and not may_publish_at(request.user, unit, publish):
        raise PermissionDenied(_("Only an administrator of this unit may publish its method."))
    return unit


def _this_month() -> date:
    return month_start(timezone.localdate())


def _context(request: HttpRequest, unit: OrgUnit, **more) -> dict:
    return {"unit": unit, "owner_name": unit.name, **publishing_rights(request.user, unit), **more}


def _newest(model, unit: OrgUnit):
    return model.objects.filter(unit=unit).order_by("-effective_from", "-version").first()


@require_GET
def unit_method(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's common method at a glance: which companies below inherit it, which use
    their own, and where each one's weights and rules of this month come from."""
    unit = _unit(request, code)
    month = _this_month()
    return render(
        request,
        "scoring/unit_method.html",
        _context(
            request,
            unit,
            month=format_period(month),
            companies=company_sources(unit, month),
            weights=_newest(WeightSet, unit),
            rules=_newest(MethodVersion, unit),
        ),
    )


# --- Weights -------------------------------------------------------------------------


@require_GET
def unit_weights(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    return render(
        request,
        "scoring/unit_weight_list.html",
        _context(request, unit, rows=weight_rows(WeightSet.objects.filter(unit=unit))),
    )


@require_http_methods(["GET", "POST"])
def unit_weight_new(request: HttpRequest, code: str) -> HttpResponse:
    """As a company's new weight version: GET the form (the newest common weights),
    POST "preview" checked and the re-grades it would start, POST "save" saved."""
    unit = _unit(request, code, publish=PUBLISH_WEIGHTS)
    indicators = [i for i in indicator_list() if i.active]
    newest = _newest(WeightSet, unit) or unit_version_in_force(WeightSet, unit, _NEWEST)
    initial = {
        "effective_from": next_month_below(unit),
        **{WeightsForm.field_name(key): w for key, w in weights_of(newest).items()},  # type: ignore[arg-type]
    }
    form = WeightsForm(request.POST or None, indicators=indicators, initial=initial)
    context = _context(request, unit, form=form)
    if request.method == "POST" and form.is_valid():
        weights = form.weights()
        assert weights is not None
        effective_from = form.cleaned_data["effective_from"]
        reason = form.cleaned_data["reason"]
        shown = {
            "unit": unit.pk,
            "weights": {code: str(value) for code, value in weights.items()},
            "effective_from": effective_from.isoformat(),
            "reason": reason,
        }
        saved = save_if_previewed(
            request,
            shown,
            lambda: publish_unit_weights(
                unit=unit,
                weights=weights,
                effective_from=effective_from,
                reason=reason,
                user=request.user,
            ),
            _(
                "Saved %(unit)s's common weight version %(version)d, effective from %(period)s."
            ).replace("%(unit)s", unit.name.replace("%", "%%")),
            _detail_url("scoring:unit_weight_detail", unit),
        )
        if saved:
            return saved
        before = unit_version_in_force(WeightSet, unit, effective_from)
        context.update(
            diff=weight_diff(indicators, weights_of(before), weights),  # type: ignore[arg-type]
            **_preview(unit, WeightSet, shown),
        )
    return render(request, "scoring/unit_weight_new.html", context)


@require_GET
def unit_weight_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    unit = _unit(request, code)
    weight_set = _version_or_404(WeightSet, unit, version)
    previous = WeightSet.objects.filter(unit=unit, version__lt=version).order_by("-version").first()
    return render(
        request,
        "scoring/unit_weight_detail.html",
        _context(
            request,
            unit,
            version=weight_set,
            previous=previous,
            diff=weight_diff(indicator_list(), weights_of(previous), weights_of(weight_set)),
            **_governed_context(weight_set),
            described=describe_weights(weight_set),
        ),
    )


# --- Grading rules and targets ----------------------------------------------------------


@require_GET
def unit_methods(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    return render(
        request,
        "scoring/unit_method_list.html",
        _context(
            request,
            unit,
            rows=method_rows(MethodVersion.objects.filter(unit=unit)),
            default=describe_grading(unit_method_in_force(unit, date(1900, 1, 1))),
        ),
    )


@require_http_methods(["GET", "POST"])
def unit_method_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code, publish=PUBLISH_RULES)
    current = unit_method_in_force(unit, _NEWEST)
    form = GradingForm(
        request.POST or None, method=current, initial={"effective_from": next_month_below(unit)}
    )
    context = _context(request, unit, form=form, other=other_settings(current))
    if request.method == "POST" and form.is_valid():
        effective_from = form.cleaned_data["effective_from"]
        # The other settings are the common ones in force at the effective month.
        form.method = unit_method_in_force(unit, effective_from)
        context["other"] = other_settings(form.method)
        method = form.new_method()
        saved, previewed = _method_step(
            request,
            unit,
            method,
            effective_from,
            form.cleaned_data["reason"],
            _(
                "Saved %(unit)s's common grading rules version %(version)d, "
                "effective from %(period)s."
            ),
        )
        if saved:
            return saved
        context.update(
            before=describe_grading(form.method), after=describe_grading(method), **previewed
        )
    return render(request, "scoring/unit_method_new.html", context)


@require_GET
def unit_method_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    unit = _unit(request, code)
    method_version = _version_or_404(MethodVersion, unit, version)
    previous = governing_before(method_version)
    method = method_of(method_version)
    indicators = Indicator.objects.filter(
        Q(active=True) | Q(code__in=[code for code, _bounds in method.goalposts])
    ).order_by("display_order", "code")
    return render(
        request,
        "scoring/unit_method_detail.html",
        _context(
            request,
            unit,
            version=method_version,
            previous=previous,
            grading=describe_grading(method),
            before=describe_rules(previous) if previous else describe_grading(method),
            targets=target_diff(method_of(previous), method, list(indicators)),
            relative=method.relative,
            method_label=method.label,
            **_governed_context(method_version),
        ),
    )


@require_GET
def unit_targets(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    in_force = unit_version_in_force(MethodVersion, unit, _this_month())
    method = unit_method_in_force(unit, _this_month())
    active = [indicator for indicator in indicators if indicator.active]
    return render(
        request,
        "scoring/unit_target_list.html",
        _context(
            request,
            unit,
            in_force=in_force,
            relative=method.relative,
            method_label=method.label,
            rows=target_diff(method, method, active),
            history=target_history(MethodVersion.objects.filter(unit=unit), indicators),
        ),
    )


@require_http_methods(["GET", "POST"])
def unit_target_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code, publish=PUBLISH_RULES)
    indicators = [i for i in indicator_list() if i.active]
    current = unit_method_in_force(unit, _NEWEST)
    form = TargetsForm(
        request.POST or None,
        indicators=indicators,
        initial={"effective_from": next_month_below(unit), **target_initial(current, indicators)},
    )
    context = _context(
        request, unit, form=form, relative=current.relative, method_label=current.label
    )
    if request.method == "POST" and form.is_valid():
        return targets_posted(
            request,
            form,
            indicators,
            context,
            in_force_at=lambda month: unit_method_in_force(unit, month),
            step=lambda method, effective_from, reason: _method_step(
                request,
                unit,
                method,
                effective_from,
                reason,
                _(
                    "Saved %(unit)s's common targets as grading rules version %(version)d, "
                    "effective from %(period)s."
                ),
            ),
            template="scoring/unit_target_new.html",
        )
    return render(request, "scoring/unit_target_new.html", context)


# --- What the forms share -------------------------------------------------------------


def _method_step(request, unit, method, effective_from, reason, saved_text):
    """A unit's new grading-rule version (rules or targets): saved when "save" was
    pressed on its preview (the redirect), or else the preview's context."""
    shown = {
        "unit": unit.pk,
        "method": method.as_record(),
        "effective_from": effective_from.isoformat(),
        "reason": reason,
    }
    saved = save_if_previewed(
        request,
        shown,
        lambda: publish_unit_method(
            unit=unit,
            method=method,
            effective_from=effective_from,
            reason=reason,
            user=request.user,
        ),
        saved_text.replace("%(unit)s", unit.name.replace("%", "%%")),
        _detail_url("scoring:unit_method_detail", unit),
    )
    if saved:
        return saved, {}
    return None, _preview(unit, MethodVersion, shown)


def _preview(unit: OrgUnit, model, shown: dict) -> dict:
    """Step 1 of a unit's form: the companies and months saving would re-grade, and the
    token that lets exactly these values be saved."""
    effective_from = date.fromisoformat(shown["effective_from"])
    plan = unit_regrade_plan(unit, model, effective_from)
    context = {
        "effective_period": format_period(effective_from),
        "unit_plan": plan,
        "plan_months": sum(row.count for row in plan),
        "plan_final": sum(len(row.final) for row in plan),
        "previewed": preview_token(shown),
    }
    if model is MethodVersion:
        method = ScoringMethod.from_record(shown["method"])
        names = {indicator.code: indicator.name for indicator in Indicator.objects.all()}
        context["new_grading"] = describe_grading(method)
        context["rules_changes"] = [
            {
                "company": change.company,
                "grading": describe_grading(change.before) if change.grading_changes else "",
                "targets": [names.get(code, code) for code in change.targets_moved],
            }
            for change in rules_changes(unit, method, effective_from)
        ]
    return context


def _governed_context(version: WeightSet | MethodVersion) -> dict:
    """A unit version's page: the companies it grades, looked at again while some of
    their re-grades are still being computed."""
    governed = governed_companies(version)
    computing = any(row.computing for row in governed)
    return {
        "governed": governed,
        "refresh_seconds": PROGRESS_REFRESH_SECONDS if computing else None,
    }


def _detail_url(route: str, unit: OrgUnit) -> Callable:
    return lambda version: reverse(route, args=[unit.code, version.version])


def _version_or_404(model, unit: OrgUnit, number: int):
    found = model.objects.select_related("created_by").filter(unit=unit, version=number).first()
    if found is None:
        raise Http404(_("There is no such version."))
    return found
