"""A station's improvement measures (提升举措): add, read with what the data did since,
edit, check in."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from improvement import services
from improvement.engine.weakness import LAGGING_INDICATOR_GRADE
from improvement.forms import CheckInForm, MeasureForm, add_service_errors
from improvement.models import Measure
from improvement.selectors import grade_history, measures_with_indicators, month_grades
from improvement.views.access import check_station_access, record_or_404, station_or_404
from indicators.periods import add_months, is_past, months_between
from mapviews.selectors import indicators_in_force
from scoring.grades import grade_display
from scoring.selectors import current_run, current_runs, opening_period
from scoring.viewer import parse_month
from stations.roles import can_manage_station

#: A new measure is due this many months after the month it is based on, unless changed.
DEFAULT_MONTHS_TO_DUE = 3
#: The measure page follows its indicators' grades for at most this many months.
OUTCOME_MONTHS = 24


def _measure(request: HttpRequest, pk: int, *, manage: bool) -> Measure:
    measure = record_or_404(
        measures_with_indicators().select_related("station__county", "created_by"), pk=pk
    )
    check_station_access(request, measure.station, manage=manage)
    return measure


def _latest_month(company_id: int) -> date | None:
    return opening_period(current_runs(company_id))


@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, code: str) -> HttpResponse:
    station = station_or_404(request, code, manage=True)
    company_id = station.county.company_id
    based_on = parse_month(request.GET.get("period", "")) or _latest_month(company_id)
    if based_on is None:
        messages.error(request, _("No month has been scored yet: a measure follows a month."))
        return redirect("mapviews:station", code=station.code)
    if current_run(company_id, based_on) is None:
        raise Http404(_("This month has no scores."))
    indicators = indicators_in_force(based_on)
    grades = _station_grades(company_id, based_on, station.pk)
    if request.method == "POST":
        form = MeasureForm(request.POST, indicators=indicators)
        if form.is_valid():
            try:
                measure = services.create_measure(
                    station=station,
                    fields=form.measure_fields(),
                    based_on=based_on,
                    causes=form.causes(),
                    user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The measure was saved."))
                return redirect("improvement:measure_detail", pk=measure.pk)
    else:
        initial = {
            "owner": request.user.get_full_name() or request.user.get_username(),
            "due_month": add_months(based_on, DEFAULT_MONTHS_TO_DUE),
        }
        asked = request.GET.getlist("indicator")
        initial |= {
            f"use_{code}": True
            for code, grade in grades.items()
            if (code in asked if asked else grade == LAGGING_INDICATOR_GRADE)
        }
        form = MeasureForm(initial=initial, indicators=indicators)
    return render(
        request,
        "improvement/measure_form.html",
        {
            "form": form,
            "station": station,
            "based_on": based_on,
            "indicator_rows": _indicator_rows(form, grades),
        },
    )


def _indicator_rows(form: MeasureForm, grades: dict[str, str]) -> list[tuple]:
    """The form's indicator rows, each with the station's grade on it in the month."""
    return [
        (*row, grade_display(grades[row[0].code]) if row[0].code in grades else None)
        for row in form.indicator_rows()
    ]


def _station_grades(company_id: int, period: date, station_id: int) -> dict[str, str]:
    """The station's grade on each indicator in the month ({} when not scored)."""
    month = month_grades(company_id, period, [station_id])
    if month is None or station_id not in month.indicator_grades.index:
        return {}
    return month.indicator_grades.loc[station_id].to_dict()


def _measure_page(request: HttpRequest, measure: Measure, check_in_form=None) -> HttpResponse:
    company_id = measure.station.county.company_id
    latest = _latest_month(company_id)
    codes = [link.indicator.code for link in measure.links.all()]
    outcome = []
    if latest is not None and latest >= measure.based_on:
        months = min(months_between(measure.based_on, latest) + 1, OUTCOME_MONTHS)
        history = grade_history(company_id, [measure.station_id], latest, months)
        for period, month in history.items():
            if measure.station_id not in month.scores.index:
                continue
            row = month.indicator_grades.loc[measure.station_id]
            outcome.append(
                (
                    period,
                    grade_display(month.grades.at[measure.station_id]),
                    [grade_display(row.get(code)) for code in codes],
                )
            )
    can_manage = can_manage_station(request.user, measure.station)
    return render(
        request,
        "improvement/measure_detail.html",
        {
            "measure": measure,
            "station": measure.station,
            "links": list(measure.links.all()),
            "outcome": outcome,
            "is_overdue": measure.is_open and is_past(measure.due_month, timezone.localdate()),
            "check_ins": list(measure.check_ins.select_related("created_by")),
            "can_manage": can_manage,
            "check_in_form": check_in_form or (CheckInForm() if can_manage else None),
        },
    )


@require_GET
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_page(request, _measure(request, pk, manage=False))


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk, manage=True)
    indicators = indicators_in_force(measure.based_on)
    form = MeasureForm(
        request.POST or None, initial=MeasureForm.initial_for(measure), indicators=indicators
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure(
                measure=measure,
                fields=form.measure_fields(),
                causes=form.causes(),
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The measure was saved."))
            return redirect("improvement:measure_detail", pk=measure.pk)
    grades = _station_grades(
        measure.station.county.company_id, measure.based_on, measure.station_id
    )
    return render(
        request,
        "improvement/measure_form.html",
        {
            "form": form,
            "station": measure.station,
            "based_on": measure.based_on,
            "measure": measure,
            "indicator_rows": _indicator_rows(form, grades),
        },
    )


@require_POST
def measure_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk, manage=True)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.add_check_in(
                measure=measure,
                note=form.cleaned_data["note"],
                new_status=form.cleaned_data["new_status"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The check-in was saved."))
            return redirect("improvement:measure_detail", pk=measure.pk)
    return _measure_page(request, measure, check_in_form=form)
