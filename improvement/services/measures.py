"""Writes of the improvement measures and of check-ins (on measures and projects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from improvement.models import (
    Cause,
    CheckIn,
    Measure,
    MeasureIndicator,
    MeasureStatus,
    ProjectStatus,
    SecretaryProject,
)
from indicators.models import Indicator
from stations.models import Station


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


#: A record the same user sent with the same values this recently is taken as the same
#: form sent twice (a double click, a reload after posting), not as a second record.
TWIN_SECONDS = 120


def recent_twin(same: QuerySet, user):
    """The newest of ``same`` (rows with the values just sent) that ``user`` recorded in
    the last ``TWIN_SECONDS``, else None."""
    since = timezone.now() - timedelta(seconds=TWIN_SECONDS)
    return same.filter(created_by=user, created_at__gte=since).order_by("-pk").first()


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
    twin = recent_twin(
        Measure.objects.filter(
            station=station,
            title=fields.title.strip(),
            owner=fields.owner.strip(),
            due_month=fields.due_month,
            based_on=based_on,
        ),
        user,
    )
    if twin is not None:  # the same form sent twice: record it once
        return twin
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
    assert target is not None  # exactly one of them was given (checked above)
    allowed = MeasureStatus.values if measure is not None else ProjectStatus.values
    errors = {}
    if not note.strip():
        errors["note"] = _("Write what happened.")
    if new_status and new_status not in allowed:
        errors["new_status"] = _("Choose a status from the list.")
    if errors:
        raise ValidationError(errors)
    twin = recent_twin(
        CheckIn.objects.filter(measure=measure, project=project, note=note.strip()), user
    )
    if twin is not None:  # the same form sent twice: record it once
        return twin
    if new_status == target.status:
        new_status = ""
    if new_status:
        target.status = new_status
        target.save(update_fields=["status", *(["updated_at"] if measure else [])])
    return CheckIn.objects.create(
        measure=measure, project=project, note=note.strip(), new_status=new_status, created_by=user
    )
