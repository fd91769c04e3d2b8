"""The demo's month close: the company holds new months for review, its last month is
provisional, and 大碶's secretary has objected to its grade (unanswered)."""

from __future__ import annotations

from datetime import date

from scoring.models import MonthClose
from scoring.services.monthclose import open_month, raise_objection, set_month_rules
from stations.models import Station

#: The demo's due day (values due by the 10th of the following month) and review window.
DEMO_DUE_DAY = 10
DEMO_REVIEW_DAYS = 14
OBJECTING_STATION = "大碶供电所"
OBJECTION_REASON = "本月频繁停电数据含林区线路计划检修停电 3 次，按规定应予剔除，申请复核本月颜色。"


def record_demo_month_close(company, last: date, users: dict) -> None:
    admin, secretary = users.get("admin"), users.get("daqi")
    if admin is None or secretary is None:
        return
    set_month_rules(
        company=company,
        due_day=DEMO_DUE_DAY,
        review_days=DEMO_REVIEW_DAYS,
        hold_new_months=True,
        user=admin,
    )
    if not MonthClose.objects.filter(company=company, period=last).exists():
        open_month(company=company, period=last, user=admin)
    station = Station.objects.get(name=OBJECTING_STATION, county__company=company)
    raise_objection(user=secretary, station=station, period=last, reason=OBJECTION_REASON)
