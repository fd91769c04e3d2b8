"""Secretary projects (书记项目): a station's secretary takes on one weak indicator; the
page shows its progress read from the published months, its milestones and check-ins.

Its station's secretary, the committee and admins change a project
(``can_manage_station``); its station's staff read it (``can_see_station_detail``).
"""

from __future__ import annotations

import pandas as pd
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from improvement import selectors, services
from improvement.forms import CheckInForm, MilestoneForm, ProjectForm, add_service_errors
from improvement.models import GOAL_GRADES, Milestone, ProjectStatus, SecretaryProject
from improvement.text.progress import describe_progress
from improvement.views.access import check_station_access, record_or_404, station_or_404
from indicators.models import Indicator
from indicators.periods import add_months, format_period, is_past, month_start
from mapviews.charts import figure_payload, project_progress_figure
from mapviews.staticfinders import plotly_static_path
from scoring.engine.grades import UNGRADED, better_grade
from scoring.grades import grade_display
from stations.roles import can_manage_station

#: A new project's goal month, counted from its first month, unless one is typed.
DEFAULT_MONTHS = 6


@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, code: str) -> HttpResponse:
    station = station_or_404(request, code, manage=True)
    secretaries = selectors.station_secretaries(station.pk)
    latest, options = selectors.project_indicator_options(station)
    form = ProjectForm(
        request.POST if request.method == "POST" else None,
        initial=_new_project_initial(request, secretaries, latest, options),
        secretaries=_users(secretaries),
        indicator_codes=[option.indicator.code for option in options],
    )
    if secretaries and form.is_valid():
        try:
            project = services.create_project(
                station=station,
                indicator=Indicator.objects.get(code=form.cleaned_data["indicator"]),
                start_month=form.cleaned_data["start_month"],
                fields=form.project_fields(),
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project was started."))
            return redirect("improvement:project_detail", pk=project.pk)
    context = {
        "project": None,
        "station": station,
        "form": form,
        "options": options,
        "latest_period": format_period(latest) if latest else None,
        "has_secretaries": bool(secretaries),
        "goal_grades": _goal_grade_choices(),
        "with_scope": True,
    }
    return render(request, "improvement/project_form.html", context)


def _new_project_initial(request, secretaries, latest, options) -> dict:
    """The asked ``?indicator=``, else the weakest one without an active project; a goal
    one grade above its latest grade; the month after the latest published one."""
    asked = request.GET.get("indicator", "")
    free = [option for option in options if option.active_project is None]
    chosen = next((o for o in free if o.indicator.code == asked), None) or next(iter(free), None)
    start = add_months(latest, 1) if latest else month_start(timezone.localdate())
    secretary = next((user for user in secretaries if user.pk == request.user.pk), None)
    if secretary is None and len(secretaries) == 1:
        secretary = secretaries[0]
    return {
        "indicator": chosen.indicator.code if chosen else None,
        "start_month": start,
        "goal_month": add_months(start, DEFAULT_MONTHS - 1),
        "goal_grade": better_grade(chosen.grade.code if chosen else UNGRADED),
        "secretary": secretary.pk if secretary else None,
    }


def _users(users: list):
    """The listed users as a query, in the order given (``station_secretaries``: by the
    pinyin of their names)."""
    query = get_user_model().objects.filter(pk__in=[user.pk for user in users])
    if not users:
        return query
    place = [When(pk=user.pk, then=Value(index)) for index, user in enumerate(users)]
    return query.order_by(Case(*place))


def _goal_grade_choices() -> list:
    return [grade_display(code) for code, _label in GOAL_GRADES]


def _project(pk: int) -> SecretaryProject:
    return record_or_404(
        SecretaryProject.objects.select_related(
            "station__county", "indicator", "secretary", "created_by"
        ),
        pk=pk,
    )


def _check_manage(request: HttpRequest, project: SecretaryProject) -> None:
    check_station_access(request, project.station, manage=True)


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    check_station_access(request, project.station, manage=False)
    return _render_detail(request, project)


def _render_detail(
    request: HttpRequest,
    project: SecretaryProject,
    check_in_form: CheckInForm | None = None,
    milestone_form: MilestoneForm | None = None,
) -> HttpResponse:
    can_manage = can_manage_station(request.user, project.station)
    page = selectors.project_page(project)
    progress = page.progress
    rows = _progress_rows(progress)
    today = timezone.localdate()
    for milestone in page.milestones:
        milestone.overdue = milestone.done_on is None and is_past(milestone.due_month, today)
    context = {
        "project": project,
        "station": project.station,
        "is_active": project.status == ProjectStatus.ACTIVE,
        "goal_html": goal_html(project),
        "goal_label": grade_display(project.goal_grade).label,
        "goal_month": format_period(project.goal_month),
        "start_month": format_period(project.start_month),
        "baseline_month": format_period(add_months(project.start_month, -1)),
        "progress": progress,
        "progress_text": describe_progress(
            progress,
            indicator=project.indicator.name,
            goal_grade=project.goal_grade,
            goal_month=project.goal_month,
            start_month=project.start_month,
        ),
        "rows": rows,
        "chart": _chart(project, rows),
        "plotly_js": plotly_static_path(),
        "milestones": page.milestones,
        "check_ins": page.check_ins,
        "can_manage": can_manage,
        "check_in_form": check_in_form or (_check_in_form() if can_manage else None),
        "check_in_url": reverse("improvement:project_check_in", args=[project.pk]) + "#check-ins",
        "milestone_form": milestone_form or MilestoneForm(),
    }
    return render(request, "improvement/project_detail.html", context)


def goal_html(project: SecretaryProject) -> str:
    """ "at least 蓝 · 中等 on 线损管理 by 2027-03", the grade as a badge."""
    badge = render_to_string(
        "mapviews/_grade_badge.html", {"grade": grade_display(project.goal_grade), "size": ""}
    )
    return format_html(
        _("at least {grade} on {indicator} by {month}"),
        grade=mark_safe(badge.strip()),  # our own template, escaped there
        indicator=project.indicator.name,
        month=format_period(project.goal_month),
    )


def _progress_rows(progress) -> list[dict]:
    """The baseline month, then every published month since the start."""
    months = ([progress.baseline] if progress.baseline is not None else []) + list(progress.months)
    return [
        {
            "period": format_period(month.period),
            "is_baseline": index == 0 and progress.baseline is not None,
            "value": month.value,
            "grade": grade_display(month.grade),
            "goal_threshold": month.goal_threshold,
            "gap": (
                month.goal_threshold - month.value
                if month.value is not None and month.goal_threshold is not None
                else None
            ),
        }
        for index, month in enumerate(months)
    ]


def _chart(project: SecretaryProject, rows: list[dict]) -> dict | None:
    if sum(row["value"] is not None for row in rows) < 2:
        return None  # one point is no line: the table says it all
    goal = grade_display(project.goal_grade).label
    frame = pd.DataFrame(
        {
            "period": [row["period"] for row in rows],
            "value": [row["value"] for row in rows],
            "grade": [row["grade"].code for row in rows],
            "grade_label": [row["grade"].label for row in rows],
            "goal": [row["goal_threshold"] for row in rows],
        },
    ).astype({"value": float, "goal": float})
    figure = project_progress_figure(
        frame,
        value_label=_("%(indicator)s (0–100)") % {"indicator": project.indicator.name},
        goal_label=_("Goal line: %(grade)s") % {"grade": goal},
        title=_("%(indicator)s by month") % {"indicator": project.indicator.name},
    )
    return figure_payload(figure)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    _check_manage(request, project)
    with_scope = not project.check_ins.exists()
    secretaries = selectors.station_secretaries(project.station_id)
    if project.secretary is not None and project.secretary not in secretaries:
        secretaries.append(project.secretary)  # kept until someone else is chosen
    latest, options = selectors.project_indicator_options(project.station)
    if project.indicator_id not in {option.indicator.pk for option in options}:
        # Retired since the project began: still its indicator, with no latest grade.
        options.append(
            selectors.IndicatorOption(project.indicator, None, grade_display(None), project)
        )
    codes = [option.indicator.code for option in options]
    form = ProjectForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": project.title,
            "plan": project.plan,
            "goal_grade": project.goal_grade,
            "goal_month": project.goal_month,
            "secretary": project.secretary_id,
            "indicator": project.indicator.code,
            "start_month": project.start_month,
        },
        secretaries=_users(secretaries),
        indicator_codes=codes,
        with_scope=with_scope,
    )
    if form.is_valid():
        scope = {}
        if with_scope:
            scope = {
                "indicator": Indicator.objects.get(code=form.cleaned_data["indicator"]),
                "start_month": form.cleaned_data["start_month"],
            }
        try:
            services.update_project(project=project, fields=form.project_fields(), **scope)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("improvement:project_detail", pk=project.pk)
    context = {
        "project": project,
        "station": project.station,
        "form": form,
        "options": options,
        "latest_period": format_period(latest) if latest else None,
        "has_secretaries": bool(secretaries),
        "goal_grades": _goal_grade_choices(),
        "with_scope": with_scope,
    }
    return render(request, "improvement/project_form.html", context)


@require_POST
def project_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    _check_manage(request, project)
    form = _check_in_form(request.POST)
    if form.is_valid():
        try:
            check_in = services.check_in_on_project(
                project=project,
                note=form.cleaned_data["note"],
                new_status=form.cleaned_data["new_status"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if check_in.new_status:
                messages.success(
                    request,
                    _("Check-in recorded; the project is now %(status)s.")
                    % {"status": check_in.status_label},
                )
            else:
                messages.success(request, _("Check-in recorded."))
            return redirect(_detail_url(project, "check-ins"))
    return _render_detail(request, project, check_in_form=form)


@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    _check_manage(request, project)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(
                project=project,
                title=form.cleaned_data["title"],
                due_month=form.cleaned_data["due_month"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Milestone added."))
            return redirect(_detail_url(project, "milestones"))
    return _render_detail(request, project, milestone_form=form)


@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """``done=1`` marks the milestone done today, ``done=0`` not done."""
    milestone = record_or_404(Milestone.objects.select_related("project__station"), pk=pk)
    _check_manage(request, milestone.project)
    done = request.POST.get("done")
    if done in ("0", "1"):
        services.set_milestone_done(
            milestone=milestone, done=done == "1", today=timezone.localdate()
        )
        message = _("“%(title)s” is done.") if done == "1" else _("“%(title)s” is not done.")
        messages.success(request, message % {"title": milestone.title})
    else:
        messages.error(request, _("Nothing changed: say whether the milestone is done."))
    return redirect(_detail_url(milestone.project, "milestones"))


def _check_in_form(data=None) -> CheckInForm:
    return CheckInForm(data, statuses=ProjectStatus.choices)


def _detail_url(project: SecretaryProject, anchor: str) -> str:
    return f"{reverse('improvement:project_detail', args=[project.pk])}#{anchor}"
