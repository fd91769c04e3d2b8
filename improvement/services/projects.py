"""Writes of the secretary projects and their milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from improvement import selectors
from improvement.models import (
    GOAL_GRADES,
    CheckIn,
    Milestone,
    ProjectStatus,
    SecretaryProject,
)
from improvement.services.measures import add_check_in
from indicators.models import Indicator
from indicators.periods import add_months, format_period
from scoring.engine.grades import grade_position
from scoring.grades import grade_display
from scoring.selectors import current_run, current_runs, opening_period
from stations.models import Station

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: A project aims above the worst grade: "at least yellow" is no goal.


@dataclass(frozen=True)
class ProjectFields:
    """What a project's page lets one change at any time."""

    title: str
    plan: str
    goal_grade: str
    goal_month: date
    secretary: User | None  # None when the account is gone


@transaction.atomic
def create_project(
    *,
    station: Station,
    indicator: Indicator,
    start_month: date,
    fields: ProjectFields,
    user=None,
) -> SecretaryProject:
    """A secretary takes on one indicator of the station from ``start_month``."""
    _lock_station(station.pk)
    project = SecretaryProject(station=station, created_by=user)
    _set_project(project, indicator=indicator, start_month=start_month, fields=fields)
    problems = _check_new_months(project)
    try:
        _check_project(project, secretary_before=None)
    except ValidationError as error:
        problems = {**problems, **error.message_dict}
    if problems:
        raise ValidationError(problems)
    project.save()
    return project


def _check_new_months(project: SecretaryProject) -> dict:
    """A new project starts right after a published month (its baseline: the latest one
    or an earlier one, to record a project begun before) and aims beyond the latest."""
    company_id = project.station.county.company_id
    latest = opening_period(current_runs(company_id))
    errors = {}
    if current_run(company_id, add_months(project.start_month, -1)) is None:
        errors["start_month"] = _(
            "A project starts the month after a published month (its baseline): at the "
            "latest %(month)s."
        ) % {"month": format_period(add_months(latest, 1)) if latest else "–"}
    elif latest is not None and project.goal_month <= latest:
        errors["goal_month"] = _(
            "The goal month must come after %(month)s, the latest published month."
        ) % {"month": format_period(latest)}
    return errors


@transaction.atomic
def update_project(
    *,
    project: SecretaryProject,
    fields: ProjectFields,
    indicator: Indicator | None = None,
    start_month: date | None = None,
) -> SecretaryProject:
    """Change the title, plan, goal and secretary; the indicator and the first month
    only while nobody has checked in (after that the progress so far would silently
    measure something else). The status changes through a check-in."""
    moves = (indicator is not None and indicator.pk != project.indicator_id) or (
        start_month is not None and start_month != project.start_month
    )
    _lock_station(project.station_id)
    if moves and project.check_ins.exists():
        raise ValidationError(
            _(
                "The indicator and the first month cannot change once someone has checked "
                "in; stop this project and start a new one instead."
            )
        )
    secretary_before = project.secretary_id
    _set_project(
        project,
        indicator=indicator or project.indicator,
        start_month=start_month or project.start_month,
        fields=fields,
    )
    try:
        _check_project(project, secretary_before=secretary_before)
    except ValidationError:
        project.refresh_from_db()  # the caller's object stays as saved
        raise
    project.save()
    return project


def _lock_station(station_id: int) -> None:
    """Two people starting a project on the same indicator at once: the second waits
    for the first, then sees its project (PostgreSQL; SQLite writes one at a time)."""
    list(Station.objects.select_for_update().filter(pk=station_id).values_list("pk"))


def _set_project(
    project: SecretaryProject, *, indicator: Indicator, start_month: date, fields: ProjectFields
) -> None:
    project.indicator = indicator
    project.start_month = start_month
    project.title = fields.title.strip()
    project.plan = fields.plan.strip()
    project.goal_grade = fields.goal_grade
    project.goal_month = fields.goal_month
    project.secretary = fields.secretary


def _check_project(project: SecretaryProject, *, secretary_before: int | None) -> None:
    errors = {}
    if not project.title:
        errors["title"] = _("Give the project a title.")
    if not project.plan:
        errors["plan"] = _("Write the plan: what will be done, and how.")
    if project.secretary is None:
        errors["secretary"] = _("Choose the secretary who leads the project.")
    elif project.secretary.pk != secretary_before and project.secretary.pk not in {
        secretary.pk for secretary in selectors.station_secretaries(project.station_id)
    }:
        errors["secretary"] = _("Choose one of this station's secretaries.")
    if project.goal_grade not in dict(GOAL_GRADES):
        errors["goal_grade"] = _("Choose a goal grade from the list.")
    if project.goal_month < project.start_month:
        errors["goal_month"] = _("The goal month cannot be before the first month.")
    if not project.indicator.in_force(project.start_month):
        errors["indicator"] = _("%(indicator)s does not count in %(month)s.") % {
            "indicator": project.indicator.name,
            "month": format_period(project.start_month),
        }
    else:
        errors.update(_check_indicator_free(project))
    if "goal_grade" not in errors and "indicator" not in errors:
        errors.update(_check_goal_above_baseline(project))
    if errors:
        raise ValidationError(errors)


def _check_indicator_free(project: SecretaryProject) -> dict:
    """At most one active project per station and indicator."""
    if project.status != ProjectStatus.ACTIVE:
        return {}
    other = (
        SecretaryProject.objects.filter(
            station_id=project.station_id,
            indicator_id=project.indicator_id,
            status=ProjectStatus.ACTIVE,
        )
        .exclude(pk=project.pk)
        .first()
    )
    if other is None:
        return {}
    return {
        "indicator": _("This station already has an active project on %(indicator)s: %(title)s.")
        % {"indicator": project.indicator.name, "title": other.title}
    }


def _check_goal_above_baseline(project: SecretaryProject) -> dict:
    """The goal must be better than the indicator's grade in the month before the start
    (when that month is published with a value)."""
    baseline = selectors.baseline_month(project)
    if baseline is None:
        return {}
    position = grade_position(baseline.grade)
    if position is None:
        return {}
    goal = grade_position(project.goal_grade)
    assert goal is not None  # a goal is one of the GOAL_GRADES (the field's choices)
    if goal < position:
        return {}
    return {
        "goal_grade": _(
            "%(indicator)s was already %(grade)s in %(month)s, at or above the goal: "
            "choose a better grade or another indicator."
        )
        % {
            "indicator": project.indicator.name,
            "grade": grade_display(baseline.grade).label,
            "month": format_period(baseline.period),
        }
    }


@transaction.atomic
def check_in_on_project(
    *, project: SecretaryProject, note: str, new_status: str = "", user=None
) -> CheckIn:
    """``add_check_in`` on a project; setting a stopped or completed project active
    again is refused while another active project works on the same indicator."""
    _lock_station(project.station_id)
    if new_status == ProjectStatus.ACTIVE and project.status != ProjectStatus.ACTIVE:
        clash = _check_indicator_free(
            SecretaryProject(
                pk=project.pk,
                station_id=project.station_id,
                indicator=project.indicator,
                status=ProjectStatus.ACTIVE,
            )
        )
        if clash:
            raise ValidationError({"new_status": clash["indicator"]})
    return add_check_in(project=project, note=note, new_status=new_status, user=user)


@transaction.atomic
def add_milestone(*, project: SecretaryProject, title: str, due_month: date) -> Milestone:
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what the milestone is.")
    if due_month < project.start_month:
        errors["due_month"] = _("The due month cannot be before the project's first month.")
    if project.status != ProjectStatus.ACTIVE:
        errors["title"] = _("Milestones are added to active projects only.")
    if due_month > project.goal_month:
        errors["due_month"] = _("A milestone falls due by the project's goal month, %(month)s.") % {
            "month": format_period(project.goal_month)
        }
    if project.milestones.filter(title=title.strip(), due_month=due_month).exists():
        errors["title"] = _("This milestone is already there.")
    if errors:
        raise ValidationError(errors)
    return project.milestones.create(title=title.strip(), due_month=due_month)


def set_milestone_done(*, milestone: Milestone, done: bool, today: date) -> Milestone:
    """Mark a milestone done on ``today`` (kept when it already was), or not done."""
    if done and milestone.done_on is None:
        milestone.done_on = today
    elif not done:
        milestone.done_on = None
    milestone.save(update_fields=["done_on"])
    return milestone
