"""Writes of the improvement work: keyword-only functions that check, then save in a
transaction. Who may call them is checked by the views (``stations.roles``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from improvement import selectors
from improvement.engine import PAIRING_RULE
from improvement.models import (
    GOAL_GRADES,
    BranchPairing,
    Cause,
    CheckIn,
    DepartmentHelp,
    Measure,
    MeasureIndicator,
    MeasureStatus,
    Milestone,
    ProjectStatus,
    SecretaryProject,
)
from improvement.pairing_text import record_reasons
from indicators.models import Indicator
from indicators.periods import format_period
from scoring.engine.grades import YELLOW, grade_position
from scoring.grades import grade_display
from stations.models import Company, Station


@dataclass(frozen=True)
class IndicatorCause:
    """An indicator a measure works on, and why it lags."""

    code: str
    cause: str = Cause.UNKNOWN
    note: str = ""


@dataclass(frozen=True)
class MeasureFields:
    title: str
    owner: str
    due_month: date
    details: str = ""


def _check_measure(fields: MeasureFields, based_on: date, causes: list[IndicatorCause]) -> None:
    errors = {}
    if not fields.title.strip():
        errors["title"] = _("Say what will be done.")
    if not fields.owner.strip():
        errors["owner"] = _("Name who is responsible.")
    if fields.due_month < based_on:
        errors["due_month"] = _("The due month cannot be before the month it is based on.")
    if not causes:
        errors["indicators"] = _("Choose at least one indicator the measure works on.")
    if any(cause.cause not in Cause.values for cause in causes):
        errors["indicators"] = _("Choose a cause from the list.")
    if errors:
        raise ValidationError(errors)


def _indicators(causes: list[IndicatorCause]) -> dict[str, Indicator]:
    codes = [cause.code for cause in causes]
    found = {indicator.code: indicator for indicator in Indicator.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    return found


@transaction.atomic
def create_measure(
    *,
    station: Station,
    fields: MeasureFields,
    based_on: date,
    causes: list[IndicatorCause],
    user=None,
) -> Measure:
    _check_measure(fields, based_on, causes)
    indicators = _indicators(causes)
    measure = Measure.objects.create(
        station=station,
        title=fields.title.strip(),
        details=fields.details.strip(),
        owner=fields.owner.strip(),
        due_month=fields.due_month,
        based_on=based_on,
        created_by=user,
    )
    _save_causes(measure, causes, indicators)
    return measure


@transaction.atomic
def update_measure(
    *, measure: Measure, fields: MeasureFields, causes: list[IndicatorCause], user=None
) -> Measure:
    """Change what, who, when and the indicators with their causes (the status changes
    through a check-in, so that its history is kept)."""
    _check_measure(fields, measure.based_on, causes)
    indicators = _indicators(causes)
    measure.title = fields.title.strip()
    measure.details = fields.details.strip()
    measure.owner = fields.owner.strip()
    measure.due_month = fields.due_month
    measure.save()
    measure.links.exclude(indicator__code__in=list(indicators)).delete()
    _save_causes(measure, causes, indicators)
    return measure


def _save_causes(
    measure: Measure, causes: list[IndicatorCause], indicators: dict[str, Indicator]
) -> None:
    for cause in causes:
        MeasureIndicator.objects.update_or_create(
            measure=measure,
            indicator=indicators[cause.code],
            defaults={"cause": cause.cause, "cause_note": cause.note.strip()},
        )


@transaction.atomic
def add_check_in(
    *,
    note: str,
    measure: Measure | None = None,
    project: SecretaryProject | None = None,
    new_status: str = "",
    user=None,
) -> CheckIn:
    """A dated note on a measure or a project; ``new_status`` (optional) changes its
    status at the same time, so every status change has its note."""
    if (measure is None) == (project is None):
        raise ValueError("a check-in is on exactly one measure or project")
    target = measure or project
    allowed = MeasureStatus.values if measure is not None else ProjectStatus.values
    errors = {}
    if not note.strip():
        errors["note"] = _("Write what happened.")
    if new_status and new_status not in allowed:
        errors["new_status"] = _("Choose a status from the list.")
    if errors:
        raise ValidationError(errors)
    if new_status == target.status:
        new_status = ""
    if new_status:
        target.status = new_status
        target.save(update_fields=["status", *(["updated_at"] if measure else [])])
    return CheckIn.objects.create(
        measure=measure, project=project, note=note.strip(), new_status=new_status, created_by=user
    )


# --- Secretary projects ---------------------------------------------------------------


#: A project aims above the worst grade: "at least yellow" is no goal.
PROJECT_GOAL_GRADES = [(code, label) for code, label in GOAL_GRADES if code != YELLOW]


@dataclass(frozen=True)
class ProjectFields:
    """What a project's page lets one change at any time."""

    title: str
    plan: str
    goal_grade: str
    goal_month: date
    secretary: object  # a user (None when the account is gone)


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
    _check_project(project, secretary_before=None)
    project.save()
    return project


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
    if moves and project.check_ins.exists():
        raise ValidationError(
            _(
                "The indicator and the first month cannot change once someone has checked "
                "in; stop this project and start a new one instead."
            )
        )
    _lock_station(project.station_id)
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
    if project.goal_grade not in dict(PROJECT_GOAL_GRADES):
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
    position = grade_position(baseline.grade) if baseline is not None else None
    if position is None or grade_position(project.goal_grade) < position:
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


def check_in_on_project(
    *, project: SecretaryProject, note: str, new_status: str = "", user=None
) -> CheckIn:
    """``add_check_in`` on a project; setting a stopped or completed project active
    again is refused while another active project works on the same indicator."""
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


# --- Branch pairing and department help -------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The months an accepted pairing or help runs (both included), and a note."""

    start_month: date
    end_month: date
    note: str = ""


@dataclass(frozen=True)
class ChosenPair:
    """A pair the committee accepts, with what it is recorded with: the grades of the
    month it is based on, its benefit by the month's rule, and its reasons."""

    weak: Station
    strong: Station
    weak_grade: str
    strong_grade: str
    benefit: float
    as_proposed: bool
    reasons: list[dict]


def chosen_pairs(plan, evaluation) -> list[ChosenPair]:
    """The pairs of an evaluated pairing (``PairingMonth.evaluate``), ready to record: the
    grades of the month, the evaluated benefit, whether each is the proposal's pair, and
    its reasons as data."""
    proposed = plan.proposed_partners()
    return [
        ChosenPair(
            weak=plan.stations[weak],
            strong=plan.stations[strong],
            weak_grade=plan.grade(weak),
            strong_grade=plan.grade(strong),
            benefit=benefit,
            as_proposed=proposed.get(weak) == strong,
            reasons=record_reasons(plan.reasons(weak, strong)),
        )
        for weak, strong, benefit in evaluation.benefits
    ]


@dataclass(frozen=True)
class PairingAcceptance:
    pairings: list[BranchPairing]
    #: False: exactly these pairs were already recorded (a form sent twice); nothing new.
    created: bool


def _check_span(span: Span, based_on: date) -> None:
    errors = []
    if span.end_month < span.start_month:
        errors.append(_("The last month cannot be before the first month."))
    if span.start_month < based_on:
        errors.append(
            _("The first month cannot be before %(month)s, the month it is based on.")
            % {"month": format_period(based_on)}
        )
    if errors:
        raise ValidationError(errors)


def _lock_company(company: Company) -> None:
    """Accepting for a company one request at a time: the overlap checks then see every
    row an earlier request wrote (PostgreSQL row lock; SQLite writes one at a time)."""
    Company.objects.select_for_update().filter(pk=company.pk).first()


def _check_pairs(company: Company, pairs: list[ChosenPair]) -> None:
    if not pairs:
        raise ValidationError(_("Choose a partner for at least one station."))
    errors = []
    allowed = set(PAIRING_RULE)
    for pair in pairs:
        for station in (pair.weak, pair.strong):
            if station.county.company_id != company.pk:
                errors.append(
                    _("%(station)s is not a station of %(company)s.")
                    % {"station": station.name, "company": company.name}
                )
        if pair.weak.pk == pair.strong.pk or (pair.weak_grade, pair.strong_grade) not in allowed:
            errors.append(
                _("%(weak)s cannot be paired with %(strong)s: yellow stations pair with red ones "
                  "and green with orange.") % {"weak": pair.weak.name, "strong": pair.strong.name}
            )  # fmt: skip
    for role in ("weak", "strong"):
        counts = Counter(getattr(pair, role).pk for pair in pairs)
        for pair in pairs:
            station = getattr(pair, role)
            if counts.pop(station.pk, 0) > 1:
                errors.append(
                    _("%(station)s is chosen more than once; a station takes one partner.")
                    % {"station": station.name}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def accept_pairing(
    *, company: Company, based_on: date, pairs: list[ChosenPair], span: Span, user=None
) -> PairingAcceptance:
    """Record the pairs, all or none. Refused when a station is chosen twice, breaks the
    colour rule or already has a pairing in some of these months; the same pairs sent
    again for the same months record nothing new."""
    _check_span(span, based_on)
    _check_pairs(company, pairs)
    _lock_company(company)
    station_ids = [station.pk for pair in pairs for station in (pair.weak, pair.strong)]
    overlapping = list(
        BranchPairing.objects.filter(
            Q(weak_station_id__in=station_ids) | Q(strong_station_id__in=station_ids),
            start_month__lte=span.end_month,
            end_month__gte=span.start_month,
        ).select_related("weak_station", "strong_station")
    )
    if overlapping:
        same = {
            (row.weak_station_id, row.strong_station_id)
            for row in overlapping
            if (row.based_on, row.start_month, row.end_month)
            == (based_on, span.start_month, span.end_month)
        }
        if len(overlapping) == len(pairs) and same == {(p.weak.pk, p.strong.pk) for p in pairs}:
            return PairingAcceptance(pairings=overlapping, created=False)
        raise ValidationError(_overlap_errors(overlapping, set(station_ids)))
    rows = [
        BranchPairing(
            company=company,
            based_on=based_on,
            start_month=span.start_month,
            end_month=span.end_month,
            note=span.note.strip(),
            weak_station=pair.weak,
            strong_station=pair.strong,
            weak_grade=pair.weak_grade,
            strong_grade=pair.strong_grade,
            benefit=pair.benefit,
            as_proposed=pair.as_proposed,
            reasons=pair.reasons,
            created_by=user,
        )
        for pair in pairs
    ]
    return PairingAcceptance(pairings=BranchPairing.objects.bulk_create(rows), created=True)


def _overlap_errors(overlapping: list[BranchPairing], chosen: set[int]) -> list[str]:
    errors = []
    for row in overlapping:
        for station, partner in (
            (row.weak_station, row.strong_station),
            (row.strong_station, row.weak_station),
        ):
            if station.pk in chosen:
                errors.append(
                    _("%(station)s already has a pairing in these months: with %(partner)s, "
                      "%(months)s.")
                    % {"station": station.name, "partner": partner.name, "months": row.span_text}
                )  # fmt: skip
    return errors


@dataclass(frozen=True)
class ChosenHelp:
    """A station and indicator the committee accepts department help for; ``department``:
    the indicator's responsible department at acceptance."""

    station: Station
    indicator: Indicator
    department: str


@dataclass(frozen=True)
class HelpAcceptance:
    created: list[DepartmentHelp]
    #: Help already recorded for the station and indicator in some of these months.
    skipped: list[DepartmentHelp]


@transaction.atomic
def accept_help(
    *, company: Company, based_on: date, rows: list[ChosenHelp], span: Span, user=None
) -> HelpAcceptance:
    """Record department help for the rows, all or none; a (station, indicator) that
    already has help in some of these months is skipped (and reported)."""
    _check_span(span, based_on)
    if not rows:
        raise ValidationError(_("Tick at least one station and indicator."))
    errors = []
    for row in rows:
        if row.station.county.company_id != company.pk:
            errors.append(
                _("%(station)s is not a station of %(company)s.")
                % {"station": row.station.name, "company": company.name}
            )
        if not row.department.strip():
            errors.append(
                _("%(indicator)s has no responsible department: assign one on the indicators "
                  "page first.") % {"indicator": row.indicator.name}
            )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    _lock_company(company)
    existing = {
        (item.station_id, item.indicator_id): item
        for item in DepartmentHelp.objects.filter(
            station_id__in=[row.station.pk for row in rows],
            indicator_id__in=[row.indicator.pk for row in rows],
            start_month__lte=span.end_month,
            end_month__gte=span.start_month,
        ).select_related("station", "indicator")
    }
    created, skipped, seen = [], [], set()
    for row in rows:
        key = (row.station.pk, row.indicator.pk)
        if key in seen:
            continue
        seen.add(key)
        if key in existing:
            skipped.append(existing[key])
            continue
        created.append(
            DepartmentHelp(
                company=company,
                based_on=based_on,
                start_month=span.start_month,
                end_month=span.end_month,
                note=span.note.strip(),
                department=row.department.strip(),
                indicator=row.indicator,
                station=row.station,
                created_by=user,
            )
        )
    return HelpAcceptance(created=DepartmentHelp.objects.bulk_create(created), skipped=skipped)


@transaction.atomic
def end_pairing(*, pairing: BranchPairing, end_month: date) -> BranchPairing:
    """End a pairing early: its last month becomes ``end_month``."""
    return _end(BranchPairing.objects.select_for_update().get(pk=pairing.pk), end_month)


@transaction.atomic
def end_help(*, help_item: DepartmentHelp, end_month: date) -> DepartmentHelp:
    """End department help early: its last month becomes ``end_month``."""
    return _end(DepartmentHelp.objects.select_for_update().get(pk=help_item.pk), end_month)


def _end(item, end_month: date):
    if not item.start_month <= end_month <= item.end_month:
        raise ValidationError(
            _("The last month must be from %(start)s (its first month) to %(end)s (its "
              "current last month).")
            % {"start": format_period(item.start_month), "end": format_period(item.end_month)}
        )  # fmt: skip
    if end_month != item.end_month:
        item.end_month = end_month
        item.save(update_fields=["end_month"])
    return item
