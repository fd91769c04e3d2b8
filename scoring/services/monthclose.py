"""Writes of the month close: opening a month for review, objections and their answers,
closing a month, and the company's due day and review window. Every step is audited.

A month is opened (its grades provisional) when its first grades are published and its
company holds new months (``open_held_month``, called by the run that publishes), or by an
administrator (``open_month``). Closing makes the published grades final; data that
arrives afterwards is scored as a re-grade that waits for an administrator
(``publish_new_data``, read by the recompute receiver).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from indicators.locks import lock_company_months
from indicators.periods import format_period
from scoring.engine.monthclose import ObjectionRefusal, objection_refusal, review_end
from scoring.models import (
    CloseState,
    MonthClose,
    MonthRules,
    Objection,
    ObjectionStatus,
    ScoreRun,
)
from scoring.monthstate import is_closed, shown_grade
from scoring.signals import announce_objection_answered
from stations.models import Company, Station
from stations.roles import can_close_months, can_object_for


class MonthCloseRefused(Exception):
    """A step of the month close that is not allowed (the message says why, translated)."""


def _refusal_text(refusal: ObjectionRefusal) -> str:
    return {
        ObjectionRefusal.CLOSED: _("This month is closed: its grades are final."),
        ObjectionRefusal.WINDOW_OVER: _("The review of this month is over."),
        ObjectionRefusal.NOT_GRADED: _("The station has no provisional grade this month."),
        ObjectionRefusal.ALREADY_OPEN: _(
            "The station already has an open objection to this month."
        ),
        ObjectionRefusal.NO_REASON: _("Say why the grade is wrong (a few words at least)."),
    }[refusal]


def _today() -> date:
    return timezone.localdate()


def publish_new_data(company_id: int, period: date) -> bool:
    """Whether new data of a month publishes at once (today's rule), or waits as a
    re-grade for an administrator because the month is closed."""
    return not is_closed(company_id, period)


def open_held_month(company_id: int, period: date) -> MonthClose | None:
    """Open a month for review when its first grades are published and its company holds
    new months; nothing otherwise (and nothing when it was opened or closed before)."""
    rules = MonthRules.objects.filter(company_id=company_id, hold_new_months=True).first()
    if rules is None or MonthClose.objects.filter(company_id=company_id, period=period).exists():
        return None
    return _open(company_id, period, rules.review_days, user=None)


@transaction.atomic
def open_month(*, company: Company, period: date, user) -> MonthClose:
    """An administrator puts a published month under review (its grades provisional)."""
    _require_admin(user)
    if not ScoreRun.objects.filter(company=company, period=period, is_current=True).exists():
        raise MonthCloseRefused(_("%s has no published grades to review.") % format_period(period))
    if MonthClose.objects.filter(company=company, period=period).exists():
        raise MonthCloseRefused(_("%s has been under review already.") % format_period(period))
    rules = MonthRules.objects.filter(company=company).first() or MonthRules()
    return _open(company.pk, period, rules.review_days, user=user)


def _open(company_id: int, period: date, review_days: int, *, user) -> MonthClose:
    month = MonthClose.objects.create(
        company_id=company_id,
        period=period,
        state=CloseState.PROVISIONAL,
        review_until=review_end(_today(), review_days),
    )
    record(Action.MONTH_OPENED, month, after=_month_record(month), actor=user)
    return month


@transaction.atomic
def raise_objection(*, user, station: Station, period: date, reason: str) -> Objection:
    """A station's staff or secretary objects to its provisional grade of the month."""
    if not can_object_for(user, station.pk):
        raise MonthCloseRefused(_("Only the station's own staff may object to its grade."))
    company_id = station.county.company_id
    lock_company_months(company_id, [period])
    month = (
        MonthClose.objects.select_for_update().filter(company_id=company_id, period=period).first()
    )
    if month is None:
        raise MonthCloseRefused(_("This month's grades are final: there is no review."))
    grade = shown_grade(company_id, period, station.pk)
    refusal = objection_refusal(
        provisional=month.provisional,
        review_until=month.review_until,
        today=_today(),
        has_open_objection=month.objections.filter(
            station=station, status=ObjectionStatus.OPEN
        ).exists(),
        graded=grade is not None,
        reason=reason,
    )
    if refusal is not None:
        raise MonthCloseRefused(_refusal_text(refusal))
    assert grade is not None
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                month=month, station=station, grade=grade, reason=reason.strip(), raised_by=user
            )
    except IntegrityError:  # a twin request got there first
        raise MonthCloseRefused(_refusal_text(ObjectionRefusal.ALREADY_OPEN)) from None
    record(
        Action.OBJECTION_RAISED,
        objection,
        after={"month": month.period_text, "station": station.code, "grade": objection.grade},
        reason=objection.reason,
        actor=user,
    )
    return objection


@transaction.atomic
def answer_objection(*, objection_id: int, accept: bool, reply: str, user) -> Objection:
    """An administrator accepts or rejects an open objection, with a reply the station
    reads (in its notifications and on its page)."""
    _require_admin(user)
    objection = (
        Objection.objects.select_for_update()
        .select_related("month", "station")
        .get(pk=objection_id)
    )
    if objection.status != ObjectionStatus.OPEN:
        raise MonthCloseRefused(_("This objection has been answered already."))
    if not reply.strip():
        raise MonthCloseRefused(_("Write a reply for the station."))
    objection.status = ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED
    objection.reply = reply.strip()
    objection.resolved_by = user
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["status", "reply", "resolved_by", "resolved_at"])
    record(
        Action.OBJECTION_RESOLVED,
        objection,
        before={"status": ObjectionStatus.OPEN.value},
        after={"status": objection.status, "reply": objection.reply},
        actor=user,
    )
    announce_objection_answered(objection.pk)
    return objection


@transaction.atomic
def close_month(*, company: Company, period: date, user) -> MonthClose:
    """Close a month: its published grades become final. At any time during the review
    (closing at once), but only when every objection has been answered."""
    _require_admin(user)
    lock_company_months(company.pk, [period])
    if not ScoreRun.objects.filter(company=company, period=period, is_current=True).exists():
        raise MonthCloseRefused(_("%s has no published grades to close.") % format_period(period))
    month, _created = MonthClose.objects.select_for_update().get_or_create(
        company=company, period=period, defaults={"state": CloseState.PROVISIONAL}
    )
    if month.state == CloseState.CLOSED:
        raise MonthCloseRefused(_("%s is closed already.") % format_period(period))
    waiting = month.objections.filter(status=ObjectionStatus.OPEN).count()
    if waiting:
        raise MonthCloseRefused(_("Answer the open objections first (%d open).") % waiting)
    before = _month_record(month)
    month.state = CloseState.CLOSED
    month.closed_at = timezone.now()
    month.closed_by = user
    month.save(update_fields=["state", "closed_at", "closed_by"])
    record(Action.MONTH_CLOSED, month, before=before, after=_month_record(month), actor=user)
    return month


@transaction.atomic
def set_month_rules(
    *, company: Company, due_day: int, review_days: int, hold_new_months: bool, user
) -> MonthRules:
    _require_admin(user)
    rules = MonthRules.objects.select_for_update().filter(company=company).first()
    before = _rules_record(rules) if rules else None
    rules = rules or MonthRules(company=company)
    rules.due_day, rules.review_days = due_day, review_days
    rules.hold_new_months = hold_new_months
    rules.full_clean()
    rules.save()
    record(Action.MONTH_RULES_CHANGED, rules, before=before, after=_rules_record(rules), actor=user)
    return rules


def _require_admin(user) -> None:
    if user is None or not can_close_months(user):
        raise MonthCloseRefused(_("Only an administrator may do this."))


def _month_record(month: MonthClose) -> dict:
    return {
        "month": month.period_text,
        "state": month.state,
        "objections_until": month.review_until,
    }


def _rules_record(rules: MonthRules) -> dict:
    return {
        "due_day": rules.due_day,
        "review_days": rules.review_days,
        "hold_new_months": rules.hold_new_months,
    }
