"""The month close's services: a held month opens provisional, who may object and how
often, who answers and closes, every step audited, and data after the close waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from audit.models import Action, AuditEntry
from improvement.models import Notification, NotificationKind
from indicators.models import IndicatorValue
from scoring.models import CloseState, MonthClose, MonthRules, ObjectionStatus, ScoreRun
from scoring.monthstate import is_closed
from scoring.receivers import recompute_changed_months
from scoring.services import execute_run, publish_run
from scoring.services.monthclose import (
    MonthCloseRefused,
    answer_objection,
    close_month,
    open_month,
    raise_objection,
    set_month_rules,
)
from tests.builders import score_month
from tests.factories import SEPTEMBER, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English here (zh-Hans is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(three_stations):
    s1, s2, _s3 = three_stations
    return {
        "staff": user_with_role("station_staff", station=s1),
        "secretary": user_with_role("station_secretary", station=s1),
        "other_staff": user_with_role("station_staff", station=s2),
        "committee": user_with_role("party_committee"),
        "admin": user_with_role("admin"),
    }


@pytest.fixture
def held(company, three_stations):
    """The company holds new months; September is scored, so provisional."""
    MonthRules.objects.create(company=company, hold_new_months=True, review_days=7)
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    return MonthClose.objects.get(company=company, period=SEPTEMBER)


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_a_held_companys_first_grades_are_provisional_and_the_opening_audited(held):
    assert held.state == CloseState.PROVISIONAL
    assert held.review_until == timezone.localdate() + timedelta(days=7)
    assert Action.MONTH_OPENED in _actions()


def test_without_holding_a_month_is_final_as_before(company, three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    assert not MonthClose.objects.exists()


def test_the_stations_own_staff_and_secretary_object_and_it_is_audited(
    held, three_stations, people
):
    s1 = three_stations[0]
    objection = raise_objection(
        user=people["secretary"], station=s1, period=SEPTEMBER, reason="计划检修停电应剔除"
    )
    assert objection.status == ObjectionStatus.OPEN
    assert objection.grade == s1.scores.get().grade
    entry = AuditEntry.objects.get(action=Action.OBJECTION_RAISED)
    assert entry.reason == "计划检修停电应剔除" and entry.actor == people["secretary"]


@pytest.mark.parametrize("who", ["other_staff", "committee", "admin"])
def test_no_one_objects_for_another_station(held, three_stations, people, who):
    with pytest.raises(MonthCloseRefused, match="own staff"):
        raise_objection(
            user=people[who], station=three_stations[0], period=SEPTEMBER, reason="not ours"
        )
    assert not held.objections.exists()


def test_one_open_objection_per_station_and_month(held, three_stations, people):
    s1 = three_stations[0]
    first = raise_objection(user=people["staff"], station=s1, period=SEPTEMBER, reason="reason one")
    with pytest.raises(MonthCloseRefused, match="already has an open objection"):
        raise_objection(user=people["secretary"], station=s1, period=SEPTEMBER, reason="two two")
    answer_objection(objection_id=first.pk, accept=False, reply="数据无误", user=people["admin"])
    raise_objection(user=people["secretary"], station=s1, period=SEPTEMBER, reason="new facts")
    assert held.objections.count() == 2


def test_no_objection_after_the_review_or_the_close_or_without_a_reason(
    held, three_stations, people
):
    s1 = three_stations[0]
    with pytest.raises(MonthCloseRefused, match="Say why"):
        raise_objection(user=people["staff"], station=s1, period=SEPTEMBER, reason="  ")
    MonthClose.objects.filter(pk=held.pk).update(
        review_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(MonthCloseRefused, match="review of this month is over"):
        raise_objection(user=people["staff"], station=s1, period=SEPTEMBER, reason="too late!")
    close_month(company=held.company, period=SEPTEMBER, user=people["admin"])
    with pytest.raises(MonthCloseRefused, match="closed"):
        raise_objection(user=people["staff"], station=s1, period=SEPTEMBER, reason="closed now")


def test_an_answer_is_an_administrators_and_tells_the_station(
    held, three_stations, people, django_capture_on_commit_callbacks
):
    objection = raise_objection(
        user=people["staff"], station=three_stations[0], period=SEPTEMBER, reason="wrong data"
    )
    with pytest.raises(MonthCloseRefused, match="administrator"):
        answer_objection(
            objection_id=objection.pk, accept=True, reply="ok", user=people["committee"]
        )
    with pytest.raises(MonthCloseRefused, match="reply"):
        answer_objection(objection_id=objection.pk, accept=True, reply=" ", user=people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        answer_objection(
            objection_id=objection.pk, accept=True, reply="已核实，将重新导入", user=people["admin"]
        )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ACCEPTED
    assert objection.resolved_by == people["admin"]
    told = Notification.objects.filter(kind=NotificationKind.OBJECTION_ANSWERED)
    assert {notice.user for notice in told} == {people["staff"], people["secretary"]}
    assert Action.OBJECTION_RESOLVED in _actions()
    with pytest.raises(MonthCloseRefused, match="answered already"):
        answer_objection(objection_id=objection.pk, accept=False, reply="no", user=people["admin"])


def test_closing_waits_for_every_answer_and_only_an_administrator_closes(
    held, three_stations, people
):
    objection = raise_objection(
        user=people["staff"], station=three_stations[0], period=SEPTEMBER, reason="wrong data"
    )
    with pytest.raises(MonthCloseRefused, match="administrator"):
        close_month(company=held.company, period=SEPTEMBER, user=people["committee"])
    with pytest.raises(MonthCloseRefused, match="open objections first"):
        close_month(company=held.company, period=SEPTEMBER, user=people["admin"])
    answer_objection(objection_id=objection.pk, accept=False, reply="无误", user=people["admin"])
    closed = close_month(company=held.company, period=SEPTEMBER, user=people["admin"])
    assert closed.state == CloseState.CLOSED and closed.closed_by == people["admin"]
    entry = AuditEntry.objects.get(action=Action.MONTH_CLOSED)
    assert entry.before["state"] == "provisional" and entry.after["state"] == "closed"
    with pytest.raises(MonthCloseRefused, match="closed already"):
        close_month(company=held.company, period=SEPTEMBER, user=people["admin"])


def test_an_administrator_closes_a_final_month_at_once(company, three_stations, people):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    close_month(company=company, period=SEPTEMBER, user=people["admin"])
    assert is_closed(company.pk, SEPTEMBER)


def test_opening_a_month_by_hand(company, three_stations, people):
    with pytest.raises(MonthCloseRefused, match="no published grades"):
        open_month(company=company, period=SEPTEMBER, user=people["admin"])
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    month = open_month(company=company, period=SEPTEMBER, user=people["admin"])
    assert month.provisional
    with pytest.raises(MonthCloseRefused, match="under review already"):
        open_month(company=company, period=SEPTEMBER, user=people["admin"])


def test_the_rules_are_an_administrators_and_audited(company, people):
    with pytest.raises(MonthCloseRefused):
        set_month_rules(
            company=company,
            due_day=5,
            review_days=3,
            hold_new_months=True,
            user=people["committee"],
        )
    set_month_rules(
        company=company, due_day=5, review_days=3, hold_new_months=True, user=people["admin"]
    )
    set_month_rules(
        company=company, due_day=8, review_days=3, hold_new_months=True, user=people["admin"]
    )
    entries = AuditEntry.objects.filter(action=Action.MONTH_RULES_CHANGED).order_by("pk")
    assert [e.after["due_day"] for e in entries] == [5, 8]
    assert entries[1].before["due_day"] == 5


def _new_data(company, station, value: float) -> ScoreRun:
    """New values of September for one station, as an import asks: the run it requests."""
    IndicatorValue.objects.filter(station=station, period=SEPTEMBER).update(value=value)
    (run,) = recompute_changed_months(None, company=company, periods=[SEPTEMBER])
    execute_run(run.pk)
    run.refresh_from_db()
    return run


def test_new_data_publishes_while_provisional_and_waits_once_closed(held, three_stations, people):
    company = held.company
    during = _new_data(company, three_stations[0], 15)
    assert during.is_current  # today's rule: new data publishes (still provisional)
    close_month(company=company, period=SEPTEMBER, user=people["admin"])
    after = _new_data(company, three_stations[0], 35)
    assert not after.publish and not after.is_current  # a waiting re-grade
    assert ScoreRun.objects.get(company=company, period=SEPTEMBER, is_current=True) == during
    publish_run(after.pk, user=people["admin"])  # the administrator publishes it
    assert ScoreRun.objects.get(company=company, period=SEPTEMBER, is_current=True) == after
    assert is_closed(company.pk, SEPTEMBER)  # and the month stays closed


def test_a_run_asked_while_provisional_but_run_after_the_close_waits(held, three_stations, people):
    """An import asked for a publishing run while the month was provisional; the
    administrator closed the month before a worker ran it: the closed month's grades must
    not change under it (the run waits as a re-grade, like data after the close)."""
    company = held.company
    shown = ScoreRun.objects.get(company=company, period=SEPTEMBER, is_current=True)
    IndicatorValue.objects.filter(station=three_stations[0], period=SEPTEMBER).update(value=35)
    (queued,) = recompute_changed_months(None, company=company, periods=[SEPTEMBER])
    assert queued.publish  # asked while provisional
    close_month(company=company, period=SEPTEMBER, user=people["admin"])
    execute_run(queued.pk)
    queued.refresh_from_db()
    assert not queued.is_current
    assert ScoreRun.objects.get(company=company, period=SEPTEMBER, is_current=True) == shown
    publish_run(queued.pk, user=people["admin"])  # published only by an administrator
    assert ScoreRun.objects.get(company=company, period=SEPTEMBER, is_current=True) == queued


def test_a_closed_month_keeps_its_record_and_says_when_a_regrade_waits(
    client, held, three_stations, people
):
    from django.urls import reverse

    client.force_login(people["admin"])
    client.cookies["django_language"] = "en"
    overview = reverse("scoring:month_close")
    record = reverse("scoring:month_close_detail", args=["2026-09"])
    review = reverse("scoring:month_review", args=["2026-09"])
    close_month(company=held.company, period=SEPTEMBER, user=people["admin"])
    page = client.get(overview).content.decode()
    assert f'<a href="{record}">Objections and answers</a>' in page
    assert "A re-grade with newer data or versions waits" not in page
    _new_data(held.company, three_stations[0], 35)
    page = client.get(overview).content.decode()
    assert "A re-grade with newer data or versions waits to be published." in page
    assert f'<a href="{review}">Review and publish the re-grade</a>' in page
