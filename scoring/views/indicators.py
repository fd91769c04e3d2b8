"""The indicators page for admins: list, edit, add from a month, retire from a month.

It shows each company's weights and the scored months a retirement touches, so it sits in
scoring (URL names ``indicators:…`` unchanged, see ``scoring.urls``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from indicators import services
from indicators.forms import AddIndicatorForm, IndicatorForm, RetireIndicatorForm
from indicators.models import Indicator
from indicators.periods import format_period
from scoring import selectors

CHANGE = "indicators.change_indicator"
ADD = "indicators.add_indicator"


@permission_required(CHANGE, raise_exception=True)
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    columns, rows = selectors.indicator_list(timezone.localdate())
    return render(request, "indicators/list.html", {"columns": columns, "rows": rows})


@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    if request.method != "POST":
        form = IndicatorForm(initial=IndicatorForm.initial_for(indicator))
    else:
        form = IndicatorForm(request.POST)
        if form.is_valid():
            try:
                change = services.update_indicator(indicator=indicator, details=form.details())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _report_change(request, change)
                return redirect("indicators:list")
    return render(request, "indicators/edit.html", {"form": form, "indicator": indicator})


def _report_change(request: HttpRequest, change: services.IndicatorChange) -> None:
    messages.success(request, _("%(name)s was saved.") % {"name": change.indicator.name})
    if change.scoring_changed:
        messages.warning(
            request,
            _(
                "The direction or valid range changed. Months already scored keep their "
                "grades until they are recomputed; a recompute will score them the new way."
            ),
        )
    if change.values_outside_range:
        messages.warning(
            request,
            ngettext(
                "%(count)d stored value lies outside the new valid range; it is kept as it is.",
                "%(count)d stored values lie outside the new valid range; they are kept as "
                "they are.",
                change.values_outside_range,
            )
            % {"count": change.values_outside_range},
        )


@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest) -> HttpResponse:
    form = AddIndicatorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            indicator = services.add_indicator(
                code=form.cleaned_data["code"],
                details=form.details(),
                active_from=form.cleaned_data["active_from"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was added; it counts from %(month)s.")
                % {"name": indicator.name, "month": format_period(indicator.active_from)},
            )
            messages.warning(
                request,
                _(
                    "It has no weight yet: it counts in the scores only once a new weight "
                    "version gives it one (on the weights page)."
                ),
            )
            return redirect("indicators:list")
    return render(request, "indicators/add.html", {"form": form})


@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def indicator_retire(request: HttpRequest, code: str) -> HttpResponse:
    """A form (month and reason), then a page saying what it touches, then the retirement."""
    indicator = get_object_or_404(Indicator, code=code)
    form = RetireIndicatorForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "indicator": indicator}
    if form.is_valid():
        retired_from, reason = form.cleaned_data["retired_from"], form.cleaned_data["reason"]
        confirmed = "confirm" in request.POST
        try:
            if confirmed:
                services.retire_indicator(
                    indicator=indicator, retired_from=retired_from, reason=reason
                )
            else:
                services.check_retirement(
                    indicator=indicator, retired_from=retired_from, reason=reason
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not confirmed:
                context.update(
                    effects=selectors.retirement_effects(indicator, retired_from),
                    month=format_period(retired_from),
                )
                return render(request, "indicators/retire_confirm.html", context)
            messages.success(
                request,
                _(
                    "%(name)s is retired from %(month)s. Months already scored keep their "
                    "grades until they are recomputed."
                )
                % {"name": indicator.name, "month": format_period(retired_from)},
            )
            return redirect("indicators:list")
    return render(request, "indicators/retire.html", context)
