"""Notices of the month close and of missing data, in the site and by e-mail.

- **An objection answered**: the station's own staff and secretary are told (one notice
  each, per answer) — ``notify_objection_answered``, on ``scoring.signals.objection_answered``.
- **Missing data**: an administrator reminds whoever feeds each indicator that has values
  missing for a month: the members of its responsible department (``DepartmentMember``),
  or the administrators when it has none. One reminder per user, indicator and month (a
  second reminder of the same month updates its counts and makes it unread again). The
  day after the due day, a daily task sends them by itself (``send_due_reminders``) for
  every company whose month no one has sent reminders for.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import ngettext

from audit.models import Action, AuditEntry
from audit.services import record
from improvement.engine.submissions import due_date
from improvement.models import DepartmentMember, Notification, NotificationKind
from improvement.noticecount import notices_changed
from improvement.selectors.submissions import IndicatorArrival, submissions
from improvement.services.notices import mail_each_user, notice_message
from indicators.models import Indicator
from indicators.periods import add_months, format_period, month_start
from scoring.models import Objection
from scoring.monthstate import rules_for
from stations.models import Company, StationMember
from stations.roles import ADMINISTRATOR


def notify_objection_answered(sender=None, *, objection_id: int, **kwargs) -> int:
    """Tell the station's people of the answer; returns how many notices were written."""
    objection = Objection.objects.select_related("month").filter(pk=objection_id).first()
    if objection is None:
        return 0
    users = StationMember.objects.filter(station_id=objection.station_id).values_list(
        "user_id", flat=True
    )
    notices = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            kind=NotificationKind.OBJECTION_ANSWERED,
            station_id=objection.station_id,
            period=objection.month.period,
            data={
                "objection": objection.pk,
                "status": objection.status,
                "reply": objection.reply,
                "grade": objection.grade,
            },
        )
        for user_id in users
    )
    notices_changed()
    mail_each_user(
        Notification.objects.filter(pk__in=[n.pk for n in notices]),
        _objection_message,
        what=f"the answer to objection {objection.pk}",
    )
    return len(notices)


def _objection_message(user, notices, connection):
    return notice_message(
        user,
        notices,
        connection,
        template="improvement/email/notices.txt",
        subject=lambda count, month: (
            ngettext(
                "Five-colour map: your objection for %(month)s was answered",
                "Five-colour map: %(count)d objections for %(month)s were answered",
                count,
            )
            % {"count": count, "month": month}
        ),
    )


def feeders(company: Company, department: str) -> list[int]:
    """Who feeds a department's indicators: its members, else the administrators."""
    members = list(
        DepartmentMember.objects.filter(department=department).values_list("user_id", flat=True)
    )
    if members or not department:
        return members or _administrators()
    return _administrators()


def _administrators() -> list[int]:
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(groups__name=ADMINISTRATOR.group).values_list("pk", flat=True))


@transaction.atomic
def send_missing_reminders(
    *, company: Company, period: date, arrivals: list[IndicatorArrival], due_day: int, user
) -> int:
    """Remind the feeders of each indicator with missing values; returns how many users
    were reminded of something. Audited."""
    due = due_date(period, due_day)
    reminded: set[int] = set()
    written: list[int] = []
    for arrival in arrivals:
        if arrival.missing == 0:
            continue
        data = {
            "missing": arrival.missing,
            "expected": arrival.expected,
            "due": due.isoformat(),
            "indicator": arrival.indicator.code,
        }
        for user_id in feeders(company, arrival.indicator.department):
            notice, _created = Notification.objects.update_or_create(
                user_id=user_id,
                kind=NotificationKind.MISSING_DATA,
                indicator=arrival.indicator,
                period=period,
                defaults={"data": data, "read_at": None, "emailed_at": None},
            )
            written.append(notice.pk)
            reminded.add(user_id)
    notices_changed()
    record(
        Action.REMINDERS_SENT,
        company,
        after={
            "month": format_period(period),
            "indicators": [a.indicator.code for a in arrivals if a.missing],
            "users": len(reminded),
        },
        actor=user,
    )
    pending = Notification.objects.filter(pk__in=written)
    transaction.on_commit(
        lambda: mail_each_user(pending, _reminder_message, what=f"reminders of {period}")
    )
    return len(reminded)


def _reminder_message(user, notices, connection):
    return notice_message(
        user,
        notices,
        connection,
        template="improvement/email/notices.txt",
        subject=lambda count, month: (
            ngettext(
                "Five-colour map: %(count)d indicator has values missing for %(month)s",
                "Five-colour map: %(count)d indicators have values missing for %(month)s",
                count,
            )
            % {"count": count, "month": month}
        ),
    )


def send_due_reminders(today: date) -> int:
    """Once last month's due day has passed, remind the feeders of each company of what is
    still missing, once per company and month: a month someone already sent reminders for
    (an administrator, or an earlier run of this) is left alone. Returns how many people
    were reminded. Run daily by Celery beat (``improvement.tasks.send_due_reminders``)."""
    period = add_months(month_start(today), -1)
    indicators = list(Indicator.objects.in_force(period).order_by("display_order", "code"))
    reminded = 0
    for company in Company.objects.order_by("pk"):
        rules = rules_for(company)
        if today <= due_date(period, rules.due_day) or _reminded(company, period):
            continue
        report = submissions(company, period, indicators, due_day=rules.due_day, today=today)
        reminded += send_missing_reminders(
            company=company,
            period=period,
            arrivals=report.arrivals,
            due_day=rules.due_day,
            user=None,
        )
    return reminded


def _reminded(company: Company, period: date) -> bool:
    return AuditEntry.objects.filter(
        action=Action.REMINDERS_SENT,
        target_type=company._meta.label_lower,
        target_id=str(company.pk),
        after__month=format_period(period),
    ).exists()
