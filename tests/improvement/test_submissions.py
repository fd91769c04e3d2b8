"""What has arrived for a month: counts, missing and late values, jumps and values at the
edge, the downloads, who sees the page, the reminders, and a bounded number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from improvement.models import DepartmentMember, Notification, NotificationKind
from indicators.models import IndicatorValue
from indicators.periods import add_months
from tests.builders import write_values
from tests.downloads import body
from tests.factories import SEPTEMBER, StationFactory, user_with_role

pytestmark = pytest.mark.django_db

#: S1 has a steady history of 12 months (50 ± 1 on every indicator) and jumps to 90 in
#: September's safety; S2 has September only, with fault_outage at 0 (the edge of 0–100);
#: S3 has nothing in September.
STEADY = [49, 50, 51, 50, 49, 51, 50, 50, 49, 51, 50, 50]


@pytest.fixture
def arrived(three_stations):
    s1, s2, _s3 = three_stations
    for months_back, value in enumerate(STEADY, start=1):
        write_values(add_months(SEPTEMBER, -months_back), {s1: value})
    write_values(SEPTEMBER, {s1: {"safety": 90}, s2: {"fault_outage": 0}}, default=50)
    return three_stations


@pytest.fixture
def admin(client):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


def _page(client) -> str:
    response = client.get(reverse("improvement:submissions"), {"period": "2026-09"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_counts_what_arrived_and_lists_what_is_missing(admin, arrived, on_today):
    page = _page(admin)
    assert "2026-10-10" in page and "past due: what is missing is late" in page
    assert "<dt>Values missing</dt><dd>10</dd>" in page  # S3's ten indicators
    assert page.count(">2 / 3<") == 10  # "2 / 3" arrived on every indicator
    assert page.count("<strong>late</strong>") == 10


def test_a_jump_and_a_value_at_the_edge_are_shown_with_why(admin, arrived):
    page = _page(admin)  # jumps of the first indicator, safety
    assert "<dt>Jumps · Work safety index</dt><dd>1</dd>" in page
    # 90 against a median of 50 and a MAD of 0.5: z = 40 / (1.4826 × 0.5) = 54.0
    assert "jump: 12-month median 50, robust z 54.0" in page
    assert "<dt>At the edge of the valid range</dt><dd>1</dd>" in page
    assert "at the edge of the valid range 0–100" in page


def test_a_change_from_a_constant_history_is_a_jump_without_a_z_score(admin, three_stations):
    s1 = three_stations[0]
    for months_back in range(1, 13):
        write_values(add_months(SEPTEMBER, -months_back), {s1: 50})
    write_values(SEPTEMBER, {s1: {"safety": 49}}, default=50)
    page = _page(admin)
    assert "<dt>Jumps · Work safety index</dt><dd>1</dd>" in page
    assert "jump: changed from a constant history of 50 (no spread, so no z-score)" in page
    assert "robust z -inf" not in page and "robust z inf" not in page
    odd = body(admin.get(reverse("improvement:submissions_anomalies", args=["2026-09"])))
    rows = list(csv.reader(io.StringIO(odd.decode("utf-8-sig"))))
    jump = ("jump", "S1", "safety", "50.0", "")  # no z-score
    assert [(r[0], r[1], r[3], r[5], r[6]) for r in rows[1:]] == [jump]


def test_jumps_are_shown_one_indicator_at_a_time(admin, arrived):
    url = reverse("improvement:submissions")
    other = admin.get(url, {"period": "2026-09", "indicator": "fault_outage"}).content.decode()
    assert "jump: 12-month median" not in other
    refused = admin.get(url, {"period": "2026-09", "indicator": "nope"})
    assert refused.status_code == 400
    assert "There is no such indicator here: nope" in refused.content.decode()


def test_the_downloads_hold_every_row(admin, arrived):
    missing = body(admin.get(reverse("improvement:submissions_missing", args=["2026-09"])))
    rows = list(csv.reader(io.StringIO(missing.decode("utf-8-sig"))))
    assert rows[0] == ["station_code", "station_name", "indicator_code", "indicator_name"]
    assert {row[0] for row in rows[1:]} == {"S3"} and len(rows) == 11
    odd = body(admin.get(reverse("improvement:submissions_anomalies", args=["2026-09"])))
    odd_rows = list(csv.reader(io.StringIO(odd.decode("utf-8-sig"))))
    assert [(r[0], r[1], r[3]) for r in odd_rows[1:]] == [
        ("jump", "S1", "safety"),
        ("edge", "S2", "fault_outage"),
    ]


def test_a_department_sees_its_own_indicators_and_a_station_nothing(client, arrived):
    member = user_with_role("station_staff", station=arrived[0])
    client.force_login(member)
    client.cookies["django_language"] = "en"
    assert client.get(reverse("improvement:submissions")).status_code == 403
    DepartmentMember.objects.create(user=member, department="安全监察部")
    page = _page(client)
    assert page.count(">2 / 3<") == 1  # safety's row only
    assert "<dt>Values missing</dt><dd>1</dd>" in page
    assert "Remind whoever feeds" not in page  # reminders are the administrators'


def test_reminders_go_to_each_indicators_feeders_once_and_are_audited(admin, arrived):
    feeder = user_with_role("station_staff")
    DepartmentMember.objects.create(user=feeder, department="安全监察部")
    url = reverse("improvement:submissions_remind")
    answer = admin.post(url, {"period": "2026-09"}, follow=True).content.decode()
    assert "Reminders sent to 2 people." in answer  # the feeder, and the administrator
    reminders = Notification.objects.filter(kind=NotificationKind.MISSING_DATA)
    mine = reminders.get(user=feeder)
    assert mine.indicator.code == "safety" and mine.data["missing"] == 1
    assert reminders.exclude(user=feeder).count() == 9  # the other nine, to the admin
    admin.post(url, {"period": "2026-09"})
    assert reminders.count() == 10  # again: the same reminders, unread again
    assert AuditEntry.objects.filter(action=Action.REMINDERS_SENT).count() == 2
    admin.force_login(feeder)
    notices = admin.get(reverse("improvement:notifications")).content.decode()
    assert "of 2026-09: 1 of 3 stations have no value (due 2026-10-10)" in notices


def test_the_page_costs_the_same_queries_for_more_stations(
    admin, arrived, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as few:
        _page(admin)
    county = arrived[0].county
    write_values(SEPTEMBER, {StationFactory(county=county): 0 for _ in range(20)})
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(admin)


def test_the_due_day_passed_sends_the_reminders_by_itself_once(arrived):
    from datetime import date

    from improvement.tasks import send_due_reminders
    from scoring.monthstate import rules_for

    admin_user = user_with_role("admin")
    rules_for(arrived[0].county.company)  # due on the 10th of the next month (default)
    reminders = Notification.objects.filter(kind=NotificationKind.MISSING_DATA)
    assert send_due_reminders_on(date(2026, 10, 10)) == 0  # due today: not late yet
    assert not reminders.exists()
    assert send_due_reminders_on(date(2026, 10, 11)) == 1  # late: to the administrator
    assert reminders.filter(user=admin_user).count() == 10  # S3 misses every indicator
    entry = AuditEntry.objects.get(action=Action.REMINDERS_SENT)
    assert entry.actor is None and entry.after["month"] == "2026-09"
    assert send_due_reminders_on(date(2026, 10, 12)) == 0  # once per month
    assert AuditEntry.objects.filter(action=Action.REMINDERS_SENT).count() == 1
    assert send_due_reminders.name == "improvement.tasks.send_due_reminders"


def send_due_reminders_on(today) -> int:
    from improvement.services.submission_notices import send_due_reminders

    return send_due_reminders(today)


def test_the_kept_report_follows_new_values(admin, arrived, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "<dt>Jumps · Work safety index</dt><dd>1</dd>" in _page(admin)
    assert "<dt>Jumps · Work safety index</dt><dd>1</dd>" in _page(admin)  # kept
    value = IndicatorValue.objects.get(
        station=arrived[0], period=SEPTEMBER, indicator__code="safety"
    )
    value.value = 50  # the jump corrected
    value.save()
    assert "<dt>Jumps · Work safety index</dt><dd>0</dd>" in _page(admin)
