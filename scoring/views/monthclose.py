"""The month close: the administrators' page (rules, months under review, objections,
closing) and a station's objection."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.periods import PeriodError, format_period, parse_period
from scoring.forms_monthclose import AnswerForm, CloseMonthForm, MonthRulesForm, ObjectionForm
from scoring.models import Objection
from scoring.monthstate import (
    listed_months,
    month_close,
    months_under_review,
    objections_of,
    rules_for,
    station_review,
)
from scoring.services.monthclose import (
    MonthCloseRefused,
    answer_objection,
    close_month,
    open_month,
    raise_objection,
    set_month_rules,
)
from scoring.views.common import company_or_404
from stations.models import Station
from stations.roles import CLOSE_MONTHS, can_object_for
from stations.scope import scoped

#: Published months listed on the page (newest first).
MONTHS_LISTED = 6


def _period(text: str):
    try:
        return parse_period(text)
    except PeriodError:
        raise Http404(_("No such month: %s") % text[:20]) from None


@permission_required(CLOSE_MONTHS, raise_exception=True)
def close_overview(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    rules = rules_for(company)
    form = MonthRulesForm(
        initial={
            "due_day": rules.due_day,
            "review_days": rules.review_days,
            "hold_new_months": rules.hold_new_months,
        }
    )
    runs = listed_months(company.pk, MONTHS_LISTED)
    under_review = months_under_review(company.pk)
    return render(
        request,
        "scoring/month_close.html",
        {
            "company": company,
            "rules_form": form,
            "runs": runs,
            "under_review": [(month, objections_of(month, limit=0)) for month in under_review],
        },
    )


@require_POST
@permission_required(CLOSE_MONTHS, raise_exception=True)
def rules_save(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    form = MonthRulesForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("scoring:month_close")
    set_month_rules(company=company, user=request.user, **form.cleaned_data)
    messages.success(request, _("The due day and review rules are saved."))
    return redirect("scoring:month_close")


@permission_required(CLOSE_MONTHS, raise_exception=True)
def close_detail(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month_date = _period(period)
    month = month_close(company.pk, month_date)
    if month is None:
        raise Http404(_("%s is not under review.") % format_period(month_date))
    return render(
        request,
        "scoring/month_close_detail.html",
        {
            "company": company,
            "month": month,
            "period": month.period_text,
            "objections": objections_of(month),
            "answer_form": AnswerForm(),
        },
    )


@require_POST
@permission_required(CLOSE_MONTHS, raise_exception=True)
def month_open(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month_date = _period(period)
    try:
        open_month(company=company, period=month_date, user=request.user)
    except MonthCloseRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("scoring:month_close")
    messages.success(request, _("%s is under review: its grades are provisional.") % period)
    return redirect("scoring:month_close_detail", period=period)


@permission_required(CLOSE_MONTHS, raise_exception=True)
def month_close_confirm(request: HttpRequest, period: str) -> HttpResponse:
    """The step before closing: what closing means, and a box to tick."""
    company = company_or_404(request)
    month_date = _period(period)
    month = month_close(company.pk, month_date)
    if month is None or not month.provisional:
        messages.error(request, _("%s is not under review.") % format_period(month_date))
        return redirect("scoring:month_close")
    return render(
        request,
        "scoring/month_close_confirm.html",
        {
            "company": company,
            "month": month,
            "period": month.period_text,
            "objections": objections_of(month, limit=0),
            "form": CloseMonthForm(),
        },
    )


@require_POST
@permission_required(CLOSE_MONTHS, raise_exception=True)
def month_close_now(request: HttpRequest, period: str) -> HttpResponse:
    company = company_or_404(request)
    month_date = _period(period)
    confirmation = CloseMonthForm(request.POST)
    if not confirmation.is_valid():
        messages.error(request, " ".join(confirmation.errors["confirm"]))
        return redirect("scoring:month_close_confirm", period=format_period(month_date))
    try:
        close_month(company=company, period=month_date, user=request.user)
    except MonthCloseRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(
            (
                request.POST.get("back") == "detail"
                and reverse("scoring:month_close_detail", args=[period])
            )
            or reverse("scoring:month_close")
        )
    messages.success(request, _("%s is closed: its grades are final.") % period)
    return redirect("scoring:month_close")


@require_POST
@permission_required(CLOSE_MONTHS, raise_exception=True)
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    company = company_or_404(request)
    objection = get_object_or_404(
        Objection.objects.select_related("month"), pk=pk, month__company=company
    )
    form = AnswerForm(request.POST)
    back = reverse("scoring:month_close_detail", args=[objection.month.period_text])
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject and write a reply for the station."))
        return redirect(back)
    try:
        answer_objection(
            objection_id=objection.pk,
            accept=form.cleaned_data["decision"] == "accept",
            reply=form.cleaned_data["reply"],
            user=request.user,
        )
    except MonthCloseRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The answer is recorded and the station is told."))
    return redirect(back)


def objection_new(request: HttpRequest, code: str) -> HttpResponse:
    """A station's staff or secretary objects to its provisional grade of a month."""
    stations = scoped(Station.objects.select_related("county"), request.user, "county__company")
    station = get_object_or_404(stations, code=code)
    if not can_object_for(request.user, station.pk):
        raise PermissionDenied(_("Only the station's own staff may object to its grade."))
    month_date = _period(request.GET.get("period") or request.POST.get("period") or "")
    review = station_review(station.county.company_id, month_date, station.pk)
    station_url = (
        reverse("mapviews:station", args=[station.code]) + f"?period={format_period(month_date)}"
    )
    if review is None:
        messages.error(request, _("This month's grades are final: there is no review."))
        return redirect(station_url)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            raise_objection(
                user=request.user,
                station=station,
                period=month_date,
                reason=form.cleaned_data["reason"],
            )
        except MonthCloseRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your objection is sent to the administrators."))
            return redirect(station_url)
    return render(
        request,
        "scoring/objection_form.html",
        {"station": station, "review": review, "period": format_period(month_date), "form": form},
    )
