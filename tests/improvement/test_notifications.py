"""Grade-drop notices: who is told of which month, the e-mail, the header count and the page."""

from __future__ import annotations

import re
import smtplib
import time
from datetime import date, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from improvement.models import Notification
from improvement.services import notices
from improvement.tasks import notify_grade_drops
from indicators.models import ImportBatch, Indicator, IndicatorValue
from scoring.models import RunTrigger, ScoreRun
from scoring.services import publish_run
from scoring.signals import grades_published
from tests.builders import run_month
from tests.factories import UserFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month
from tests.scoring.test_worker import EXAMPLES, wait_for_runs

AUGUST = date(2026, 8, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(three_stations):
    """Who is who around S2 and S3 (the stations that drop in October)."""
    s1, s2, s3 = three_stations
    return {
        "s3_secretary": user_with_role("station_secretary", station=s3, email="s3@example.cn"),
        "s3_staff": user_with_role("station_staff", station=s3, email="staff@example.cn"),
        "s2_secretary": user_with_role("station_secretary", station=s2),  # no e-mail address
        "s1_secretary": user_with_role("station_secretary", station=s1, email="s1@example.cn"),
        "committee": user_with_role("party_committee", email="committee@example.cn"),
        "former": user_with_role("party_committee", email="gone@example.cn", is_active=False),
        "admin": user_with_role("admin", email="admin@example.cn"),
    }


@pytest.fixture
def announced():
    """The grades_published signals sent (after commit)."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append((kwargs["run_id"], kwargs["period"]))

    grades_published.connect(receiver, dispatch_uid="test-announced")
    yield sent
    grades_published.disconnect(dispatch_uid="test-announced")


@pytest.fixture
def october(three_stations, people, django_capture_on_commit_callbacks):
    """September S1 40, S2 50, S3 60 → yellow, blue, red (N = 3: ranks 1, 2, 3 are red,
    blue, yellow). October S1 60, S2 40, S3 50 → red, yellow, blue: S2 drops blue →
    yellow, S3 red → blue, S1 rises. October is published with its commit callbacks run."""
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    with django_capture_on_commit_callbacks(execute=True):
        score_month(three_stations, OCTOBER, [30, 10, 20])
    return ScoreRun.objects.get(period=OCTOBER, is_current=True)


def told(period=OCTOBER) -> set[tuple[str, str]]:
    return set(
        Notification.objects.filter(period=period).values_list("user__username", "station__code")
    )


def names(people, *keys) -> list[str]:
    return [people[key].username for key in keys]


def test_a_published_drop_tells_the_secretary_and_the_committee(october, people):
    s3_secretary, s2_secretary, committee = names(
        people, "s3_secretary", "s2_secretary", "committee"
    )
    # Not S3's staff, not S1's secretary (S1 rose), not an inactive member, not admins.
    assert told() == {
        (s3_secretary, "S3"),
        (s2_secretary, "S2"),
        (committee, "S2"),
        (committee, "S3"),
    }
    september = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    s3 = Notification.objects.get(user=people["s3_secretary"])
    before = september.scores.get(station__code="S3")
    after = october.scores.get(station__code="S3")
    assert s3.kind == "grade_drop" and s3.read_at is None
    assert s3.data == {
        "from": "red",
        "to": "blue",
        "from_score": before.score,
        "to_score": after.score,
        "from_rank": 1,
        "to_rank": 2,
        "run": october.pk,
        "previous_run": september.pk,
    }


def test_running_the_task_again_creates_nothing_new(october):
    rows = Notification.objects.order_by("pk").values_list("pk", "user_id", "station_id", "data")
    first = list(rows)
    result = notify_grade_drops.apply(args=[october.pk]).get()
    assert result == {"run": october.pk, "drops": 2, "created": 0, "emailed": 0}
    assert list(rows.all()) == first


def test_a_new_secretary_is_told_on_the_next_delivery_only_once(october, three_stations):
    newcomer = user_with_role("station_secretary", station=three_stations[1])  # S2
    assert notify_grade_drops.apply(args=[october.pk]).get()["created"] == 1
    assert notify_grade_drops.apply(args=[october.pk]).get()["created"] == 0
    assert Notification.objects.filter(user=newcomer).count() == 1


def test_one_notice_per_user_and_station_whatever_their_roles(three_stations, people):
    """A secretary who sits on the party committee too is told of every drop once; a
    committee member who works at another company's station is not told."""
    from django.contrib.auth.models import Group

    from stations.roles import PARTY_COMMITTEE
    from tests.factories import StationFactory

    both = people["s3_secretary"]
    both.groups.add(Group.objects.get(name=PARTY_COMMITTEE.group))
    elsewhere = user_with_role("party_committee", station=StationFactory())
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    october = score_month(three_stations, OCTOBER, [30, 10, 20])
    outcome = notify_grade_drops.apply(args=[october.pk]).get()
    # S2: the committee member, the one on both, S2's secretary; S3: the first two.
    assert outcome["drops"] == 2 and outcome["created"] == 5
    mine = Notification.objects.filter(user=both).values_list("station__code", flat=True)
    assert sorted(mine) == ["S2", "S3"]
    assert not Notification.objects.filter(user=elsewhere).exists()


def test_a_regrade_of_an_older_month_tells_nobody(
    three_stations, people, announced, django_capture_on_commit_callbacks
):
    # August S1 red, S3 yellow; September S1 yellow, S3 red (S1 dropped); October newest.
    score_month(three_stations, AUGUST, [30, 20, 10])
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [10, 20, 30])
    IndicatorValue.objects.filter(period=SEPTEMBER, station=three_stations[1]).update(value=21)
    with django_capture_on_commit_callbacks(execute=True):
        rerun = run_month(three_stations[0].county.company, SEPTEMBER, trigger=RunTrigger.IMPORT)
    assert rerun.is_current and not rerun.unchanged
    assert announced == [(rerun.pk, SEPTEMBER)]  # published, but September is not news
    assert Notification.objects.count() == 0


def test_a_history_import_tells_only_of_the_newest_month(
    three_stations, people, django_capture_on_commit_callbacks
):
    # October's values are in (not scored yet), so September's drop (S1 red → yellow) is
    # history when its grades are published.
    batch = ImportBatch.objects.create(
        company=three_stations[0].county.company, file_name="t.csv", source="cli"
    )
    IndicatorValue.objects.create(
        station=three_stations[0],
        period=OCTOBER,
        indicator=Indicator.objects.first(),
        value=1,
        batch=batch,
    )
    with django_capture_on_commit_callbacks(execute=True):
        score_month(three_stations, AUGUST, [30, 20, 10])
        score_month(three_stations, SEPTEMBER, [10, 20, 30])
    assert (
        ScoreRun.objects.get(period=SEPTEMBER, is_current=True).scores.get(station__code="S1").grade
        == "yellow"
    )
    assert Notification.objects.count() == 0


def test_an_unchanged_run_sends_nothing(october, announced, django_capture_on_commit_callbacks):
    count = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = run_month(october.company, OCTOBER)
    assert again.unchanged and not again.is_current
    assert announced == []
    assert Notification.objects.count() == count


def test_a_regrade_waiting_for_review_tells_when_it_is_published(
    three_stations, people, announced, django_capture_on_commit_callbacks
):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [10, 20, 30])  # no drop
    IndicatorValue.objects.filter(period=OCTOBER, station=three_stations[2]).update(value=5)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = run_month(
            three_stations[0].county.company, OCTOBER, trigger=RunTrigger.WEIGHTS, publish=False
        )
    assert announced == [] and Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        publish_run(waiting.pk)
    assert announced == [(waiting.pk, OCTOBER)]
    # S3 red → yellow (the lowest now), S1 yellow → blue rises, S2 stays blue.
    s3_secretary, committee = names(people, "s3_secretary", "committee")
    assert told() == {(s3_secretary, "S3"), (committee, "S3")}
    assert Notification.objects.get(user__username=s3_secretary).data["to"] == "yellow"


@pytest.mark.parametrize(
    ("before", "after", "dropped"),
    [
        ("red", "orange", True),
        ("orange", "yellow", True),
        ("green", "yellow", True),
        ("blue", "blue", False),
        ("yellow", "green", False),  # an improvement
        ("yellow", "red", False),
        ("red", "ungraded", False),  # ungraded on either side is no drop
        ("ungraded", "yellow", False),
    ],
)
def test_what_counts_as_a_drop(before, after, dropped):
    assert notices.is_drop(before, after) is dropped


def test_an_improvement_or_a_missing_month_is_no_drop(
    three_stations, people, django_capture_on_commit_callbacks
):
    # September yellow, blue, red; October S1 60, S2 50, S3 no data → S1 orange (rises),
    # S2 green (N = 2: blue → green drops), S3 ungraded: no notice for S1 nor S3.
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    with django_capture_on_commit_callbacks(execute=True):
        score_month(three_stations, OCTOBER, [30, 20, None])
    assert {code for _user, code in told()} == {"S2"}


# --- E-mail ------------------------------------------------------------------------------


@pytest.fixture
def smtp(settings):
    settings.EMAIL_HOST = "smtp.intranet.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://stations.intranet.example"
    return settings


def test_one_email_per_user_lists_their_drops_in_chinese(smtp, october, people):
    by_address = {message.to[0]: message for message in mail.outbox}
    # The S2 secretary has no address: in the site only.
    assert sorted(by_address) == ["committee@example.cn", "s3@example.cn"]
    committee = by_address["committee@example.cn"]
    assert "2026-10" in committee.subject
    lines = [line for line in committee.body.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert "Station" in lines[0] and "蓝 · 中等" in lines[0] and "黄 · 落后" in lines[0]
    assert "红 · 优秀" in lines[1] and "蓝 · 中等" in lines[1]
    station_link = "https://stations.intranet.example/stations/S3/?period=2026-10"
    assert station_link in committee.body
    assert "https://stations.intranet.example/improvement/notifications/" in committee.body
    mailed = Notification.objects.exclude(user=people["s2_secretary"])
    assert all(notice.emailed_at is not None for notice in mailed)
    assert Notification.objects.get(user=people["s2_secretary"]).emailed_at is None
    # A second delivery mails nobody again.
    assert notify_grade_drops.apply(args=[october.pk]).get()["emailed"] == 0
    assert len(mail.outbox) == 2


def test_without_site_url_the_email_has_no_links(smtp, october):
    smtp.SITE_URL = ""
    Notification.objects.update(emailed_at=None)
    mail.outbox.clear()
    notify_grade_drops.apply(args=[october.pk]).get()
    assert len(mail.outbox) == 2
    assert all("http" not in message.body for message in mail.outbox)


def test_without_email_host_nothing_is_mailed(settings, october):
    assert settings.EMAIL_HOST == ""
    assert mail.outbox == []
    assert Notification.objects.count() == 4
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


class FailingSecondMessage(EmailBackend):
    """Sends the first message of each connection, then the mail server hangs up."""

    def send_messages(self, messages):
        self.sent = getattr(self, "sent", 0)
        if self.sent >= 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.sent += len(messages)
        return super().send_messages(messages)


def test_a_mail_server_failure_is_retried_without_mailing_anyone_twice(smtp, october, people):
    Notification.objects.update(emailed_at=None)
    mail.outbox.clear()
    smtp.EMAIL_BACKEND = f"{__name__}.FailingSecondMessage"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.mail_grade_drops(
            period=OCTOBER, station_ids=list(october.scores.values_list("station_id", flat=True))
        )
    assert len(mail.outbox) == 1
    first = mail.outbox[0].to[0]
    unsent = Notification.objects.filter(emailed_at=None, user__email__gt="")
    assert {notice.user.email for notice in unsent} == {"committee@example.cn", "s3@example.cn"} - {
        first
    }
    smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_grade_drops.apply(args=[october.pk]).get()["emailed"] == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "committee@example.cn",
        "s3@example.cn",
    ]


def test_the_task_retries_on_mail_server_errors():
    assert smtplib.SMTPException in notify_grade_drops.autoretry_for
    assert OSError in notify_grade_drops.autoretry_for


# --- The header and the page -----------------------------------------------------------


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_the_header_shows_the_unread_count(client, october, people):
    response = english(client, people["committee"]).get(reverse("mapviews:ranking"))
    assert response.context["unread_notifications"] == 2
    html = response.content.decode()
    assert 'href="/improvement/notifications/">Notices <span class="notice-count">2' in html
    notices.mark_read(user=people["committee"])  # the count is kept until notices change
    html = client.get(reverse("mapviews:ranking")).content.decode()
    assert 'href="/improvement/notifications/">Notices</a>' in html
    old = Notification.objects.filter(user=people["committee"]).first()
    Notification.objects.create(user=old.user, kind=old.kind, station=old.station, period=SEPTEMBER)
    html = client.get(reverse("mapviews:ranking")).content.decode()
    assert 'href="/improvement/notifications/">Notices <span class="notice-count">1' in html


def test_the_header_count_costs_nothing_for_visitors(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("login"))
    assert "notice-link" not in response.content.decode()


def test_the_page_lists_ones_own_notices_newest_first(client, october, people):
    older = Notification.objects.get(user=people["committee"], station__code="S3")
    yesterday = timezone.now() - timedelta(days=1)
    Notification.objects.filter(pk=older.pk).update(created_at=yesterday)
    response = english(client, people["committee"]).get(reverse("improvement:notifications"))
    rows = response.context["rows"]
    assert [notice.station.code for notice, *_rest in rows] == ["S2", "S3"]
    notice, text, rank, url = rows[1]
    september = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    before = september.scores.get(station__code="S3").score
    after = october.scores.get(station__code="S3").score
    assert text == (
        f"{notice.station.name} dropped from Red · Excellent to Blue · Average in 2026-10 "
        f"(score {before:.2f} → {after:.2f})"
    )
    assert rank == "rank 1 → 2"
    assert url == "/stations/S3/?period=2026-10"
    html = response.content.decode()
    assert f'<a href="{url}">{text}</a>' in html
    assert html.count('class="notice notice-unread"') == 2
    assert "Mark all as read" in html


def test_a_user_sees_only_their_own_notices(client, october, people):
    response = english(client, people["s3_secretary"]).get(reverse("improvement:notifications"))
    assert [notice.station.code for notice, *_rest in response.context["rows"]] == ["S3"]
    # As a word: the page's random CSRF token may contain the letters "S2".
    assert not re.search(r"\bS2\b", response.content.decode().split("<main")[1])


def test_the_page_says_when_there_is_nothing(client, people):
    response = english(client, people["s3_staff"]).get(reverse("improvement:notifications"))
    assert response.status_code == 200
    assert "No notifications yet." in response.content.decode()
    assert "Mark all as read" not in response.content.decode()


def test_marking_one_then_all_read(client, october, people):
    committee = people["committee"]
    mine = Notification.objects.filter(user=committee).order_by("station__code")
    someone_elses = Notification.objects.get(user=people["s3_secretary"])
    client = english(client, committee)
    url = reverse("improvement:notifications_read")
    page = reverse("improvement:notifications") + "?page=1"
    response = client.post(url, {"id": mine[0].pk, "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert [notice.read_at is not None for notice in mine.all()] == [True, False]
    client.post(url, {"id": someone_elses.pk})  # not theirs: nothing happens
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None
    response = client.post(url, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("improvement:notifications")
    assert all(notice.read_at is not None for notice in mine.all())
    assert Notification.objects.get(pk=someone_elses.pk).read_at is None
    assert client.get(reverse("mapviews:ranking")).context["unread_notifications"] == 0


def test_the_list_is_paginated(client, three_stations):
    user = UserFactory()
    for month in range(1, 13):
        Notification.objects.create(
            user=user,
            kind="grade_drop",
            station=three_stations[0],
            period=date(2025, month, 1),
            data={"from": "red", "to": "blue", "from_score": 80.0, "to_score": 60.0},
        )
    for station in three_stations[1:]:
        for month in range(1, 13):
            Notification.objects.create(
                user=user, kind="grade_drop", station=station, period=date(2025, month, 1)
            )
    client = english(client, user)
    first = client.get(reverse("improvement:notifications"))
    assert len(first.context["rows"]) == 30
    second = client.get(reverse("improvement:notifications"), {"page": 2})
    assert len(second.context["rows"]) == 6
    assert "Page 2 of 2" in second.content.decode()


# --- A real worker ----------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_tells_of_the_drop_after_the_recompute(redis_app, tmp_path):
    call_command("import_stations", str(EXAMPLES / "stations.csv"))
    call_command("set_weights", str(EXAMPLES / "weights.csv"), "--effective-from", "2026-01")
    committee = user_with_role("party_committee")
    september = (EXAMPLES / "values-2026-09.csv").read_text("utf-8")
    # October: A01 (red in September) falls behind on all three indicators.
    october = september.replace("2026-09", "2026-10").replace(
        "A01,2026-10,safety,95\nA01,2026-10,line_loss,3.0\nA01,2026-10,customer_satisfaction,98",
        "A01,2026-10,safety,60\nA01,2026-10,line_loss,9.0\nA01,2026-10,customer_satisfaction,60",
    )
    (tmp_path / "values-2026-10.csv").write_text(october, "utf-8")
    with start_worker(redis_app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        call_command("import_indicators", str(EXAMPLES / "values-2026-09.csv"))
        wait_for_runs()
        call_command("import_indicators", str(tmp_path / "values-2026-10.csv"))
        wait_for_runs()
        deadline = time.monotonic() + 60
        while not Notification.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    [notice] = Notification.objects.all()
    assert (notice.user, notice.station.code, notice.period) == (committee, "A01", OCTOBER)
    assert notice.data["from"] == "red" and notice.data["to"] != "red"


@pytest.mark.django_db
def test_the_newest_month_is_the_companys_own_not_another_companys():
    from tests.builders import write_values
    from tests.factories import CompanyFactory, CountyFactory, StationFactory

    ours, theirs = (
        StationFactory(county=CountyFactory(company=CompanyFactory())) for _ in range(2)
    )
    write_values(date(2026, 9, 1), {ours: 50.0})
    write_values(date(2026, 10, 1), {ours: 50.0})
    write_values(date(2026, 12, 1), {theirs: 50.0})  # newer, but another company's
    assert notices.newest_month(ours.county.company_id) == date(2026, 10, 1)
    assert notices.newest_month(theirs.county.company_id) == date(2026, 12, 1)
    assert notices.newest_month(CompanyFactory().pk) is None


def test_only_the_companys_own_committee_is_told(three_stations, people):
    """The committee of another city, and a province viewer (a unit member: reads, does
    not act), are told of none of this company's drops."""
    from stations.models import OrgUnit
    from tests.factories import CompanyFactory

    other_city = user_with_role("party_committee", company=CompanyFactory(name="他城"))
    province = OrgUnit.objects.create(code="PROV", name="省公司")
    viewer = user_with_role("party_committee", unit=province)
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    october = score_month(three_stations, OCTOBER, [30, 10, 20])
    notify_grade_drops.apply(args=[october.pk]).get()
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert people["committee"].username in told
    assert other_city.username not in told and viewer.username not in told
