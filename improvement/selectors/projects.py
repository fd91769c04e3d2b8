"""Reads of the secretary projects: progress from the data, the page, the choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from improvement.engine.progress import Progress, ProgressMonth, judge_progress
from improvement.models import (
    ProjectStatus,
    SecretaryProject,
)
from indicators.models import Indicator
from indicators.periods import add_months, month_start
from mapviews.selectors import indicator_lines, indicators_in_force
from scoring.engine import grade_from_thresholds
from scoring.engine.grades import grade_position
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.selectors import (
    current_runs,
    opening_period,
)
from stations.models import Station
from stations.pinyin import users_by_pinyin


def projects_progress(projects: list[SecretaryProject], until: date | None = None) -> dict:
    """Each project's ``Progress`` (by project id), read from the published months from
    the month before its start up to ``until`` (default: the newest published month)."""
    if not projects:
        return {}
    first = min(add_months(project.start_month, -1) for project in projects)
    station_ids = sorted({project.station_id for project in projects})
    company_ids = set(
        Station.objects.filter(pk__in=station_ids).values_list("county__company_id", flat=True)
    )
    runs = ScoreRun.objects.filter(
        company_id__in=company_ids, is_current=True, period__gte=first
    ).only("period", "summary", "company_id")
    if until is not None:
        runs = runs.filter(period__lte=until)
    thresholds = {
        (run.company_id, run.period): run.summary.get("indicator_thresholds", {}) for run in runs
    }
    rows = StationScore.objects.filter(
        station_id__in=station_ids, run__is_current=True, period__gte=first
    ).values_list("station_id", "station__county__company_id", "period", "normalised")
    values = {
        (station_id, period): (company_id, normalised)
        for station_id, company_id, period, normalised in rows
        if (company_id, period) in thresholds
    }
    return {project.pk: _progress(project, values, thresholds) for project in projects}


def _progress(project: SecretaryProject, values: dict, thresholds: dict) -> Progress:
    code = project.indicator.code
    goal = grade_position(project.goal_grade)

    def month(period: date) -> ProgressMonth | None:
        found = values.get((project.station_id, period))
        if found is None:
            return None
        company_id, normalised = found
        bars = thresholds[(company_id, period)].get(code)
        value = (normalised or {}).get(code)
        return ProgressMonth(
            period=period,
            value=value,
            grade=grade_from_thresholds(value, bars),
            goal_threshold=bars[goal] if bars else None,
        )

    periods = sorted(
        period
        for station_id, period in values
        if station_id == project.station_id and period >= project.start_month
    )
    months = [found for found in map(month, periods) if found is not None]
    return judge_progress(
        month(add_months(project.start_month, -1)),
        months,
        goal_grade=project.goal_grade,
        goal_month=project.goal_month,
    )


def station_secretaries(station_id: int) -> list:
    """The active users who work at the station and hold the secretary role."""
    from django.contrib.auth import get_user_model

    from stations.roles import STATION_SECRETARY

    return users_by_pinyin(
        get_user_model()
        .objects.filter(
            is_active=True,
            station_membership__station_id=station_id,
            groups__name=STATION_SECRETARY.group,
        )
        .distinct()
    )


def baseline_month(project: SecretaryProject) -> ProgressMonth | None:
    """The indicator's value and grade in the month before the project's start (None
    when that month is not published or the station was not in it); the project need
    not be saved."""
    before = add_months(project.start_month, -1)
    return projects_progress([project], until=before)[project.pk].baseline


@dataclass(frozen=True)
class ProjectPage:
    """What a project's page shows besides the project itself."""

    progress: Progress
    milestones: list
    check_ins: list


def project_page(project: SecretaryProject) -> ProjectPage:
    return ProjectPage(
        progress=projects_progress([project])[project.pk],
        milestones=list(project.milestones.order_by("due_month", "pk")),
        check_ins=list(
            project.check_ins.select_related("created_by").order_by("-created_at", "-pk")
        ),
    )


@dataclass(frozen=True)
class IndicatorOption:
    """An indicator a new project can take on, with the station's latest grade on it."""

    indicator: Indicator
    normalised: float | None
    grade: GradeDisplay
    active_project: SecretaryProject | None


def project_indicator_options(station: Station) -> tuple[date | None, list[IndicatorOption]]:
    """The latest published month and the indicators in force then, the station's
    weakest first (as on its page), each with the active project already on it."""
    latest = opening_period(current_runs(station.county.company_id))
    score = (
        StationScore.objects.filter(station=station, period=latest, run__is_current=True)
        .select_related("run")
        .first()
        if latest
        else None
    )
    if score is not None:
        lines = [
            (line.indicator, line.normalised, line.grade)
            for line in indicator_lines(station, score)
        ]
    else:
        in_force = indicators_in_force(latest or month_start(timezone.localdate()))
        lines = [(indicator, None, grade_display(None)) for indicator in in_force]
    active = {
        project.indicator_id: project
        for project in SecretaryProject.objects.filter(station=station, status=ProjectStatus.ACTIVE)
    }
    options = [
        IndicatorOption(indicator, normalised, grade, active.get(indicator.pk))
        for indicator, normalised, grade in lines
    ]
    return latest, options
