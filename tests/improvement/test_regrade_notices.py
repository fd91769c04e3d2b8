"""Re-grade notices: a published month re-graded under other versions tells the
secretaries and the committee of each station whose colour changed, once per re-grade."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from improvement.models import Notification, NotificationKind
from improvement.tasks import notify_regrade
from indicators.models import Indicator, IndicatorValue
from scoring.grades import grade_display
from scoring.models import RunTrigger, ScoreRun
from scoring.services import create_weight_set, publish_run
from tests.builders import run_month
from tests.factories import user_with_role
from tests.scoring.regrades import OCTOBER, SEPTEMBER, regrade_by_command, score_strengths

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(three_stations):
    s1, s2, s3 = three_stations
    return {
        "s1_secretary": user_with_role("station_secretary", station=s1, email="s1@example.cn"),
        "s1_staff": user_with_role("station_staff", station=s1, email="staff@example.cn"),
        "s2_secretary": user_with_role("station_secretary", station=s2, email="s2@example.cn"),
        "s3_secretary": user_with_role("station_secretary", station=s3),  # no address
        "committee": user_with_role("party_committee", email="committee@example.cn"),
        "admin": user_with_role("admin", email="admin@example.cn"),
    }


@pytest.fixture
def months(three_stations, people):
    """September and October published: S1 red, S2 blue, S3 yellow."""
    score_strengths(three_stations, SEPTEMBER)
    score_strengths(three_stations, OCTOBER)
    return three_stations


def regrade_notices(period=None) -> set[tuple[str, str, str]]:
    notices = Notification.objects.filter(kind=NotificationKind.REGRADE)
    if period is not None:
        notices = notices.filter(period=period)
    return set(notices.values_list("user__username", "station__code", "data__to"))


def usernames(people, *keys) -> list[str]:
    return [people[key].username for key in keys]


def test_a_command_line_regrade_tells_of_every_month_it_recoloured(
    months, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, SEPTEMBER)
    s1_secretary, s3_secretary, committee = usernames(
        people, "s1_secretary", "s3_secretary", "committee"
    )
    # S1 red → yellow (down), S3 yellow → red (up), S2 stays blue: not told. Neither are
    # S1's staff nor the administrator.
    expected = {
        (s1_secretary, "S1", "yellow"),
        (committee, "S1", "yellow"),
        (s3_secretary, "S3", "red"),
        (committee, "S3", "red"),
    }
    assert regrade_notices(SEPTEMBER) == expected
    assert regrade_notices(OCTOBER) == expected  # an older month counts too
    notice = Notification.objects.get(
        kind=NotificationKind.REGRADE, period=OCTOBER, user=people["s1_secretary"]
    )
    assert notice.run == ScoreRun.objects.get(period=OCTOBER, is_current=True)
    assert (notice.data["from"], notice.data["to"]) == ("red", "yellow")
    assert (notice.data["from_score"], notice.data["to_score"]) == (90.0, 9.0)
    assert (notice.data["weights_before"], notice.data["weights"]) == (1, 2)


def test_the_notice_says_month_colours_with_labels_scores_and_why(
    client, months, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER)
    client.force_login(people["s1_secretary"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("improvement:notifications")).content.decode()
    with translation.override("en"):
        red, yellow = grade_display("red").label, grade_display("yellow").label
    expected = (
        f"{months[0].name} was re-graded in 2026-10 under weights v2: {red} → {yellow} "
        "(score 90.00 → 9.00)"
    )
    assert expected in page
    assert f"{reverse('mapviews:station', args=['S1'])}?period=2026-10" in page


def test_a_waiting_regrade_tells_when_it_is_published(
    months, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER, publish=False)
    assert regrade_notices() == set()  # waiting: nothing changed for anyone yet
    proposal = ScoreRun.objects.get(period=OCTOBER, weight_set__version=2)
    with django_capture_on_commit_callbacks(execute=True):
        publish_run(proposal.pk)
    s1_secretary, s3_secretary, committee = usernames(
        people, "s1_secretary", "s3_secretary", "committee"
    )
    assert regrade_notices(OCTOBER) == {
        (s1_secretary, "S1", "yellow"),
        (committee, "S1", "yellow"),
        (s3_secretary, "S3", "red"),
        (committee, "S3", "red"),
    }


def test_running_the_task_again_creates_nothing_new(months, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER)
    run = ScoreRun.objects.get(period=OCTOBER, is_current=True)
    count = Notification.objects.count()
    assert notify_regrade.apply(args=[run.pk]).get()["created"] == 0
    assert Notification.objects.count() == count


def test_a_month_regraded_twice_tells_twice(months, people, django_capture_on_commit_callbacks):
    company = months[0].county.company
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(company, OCTOBER)
    equal = dict.fromkeys(Indicator.objects.values_list("code", flat=True), Decimal(10))
    with django_capture_on_commit_callbacks(execute=True):
        create_weight_set(
            company=company, weights=equal, effective_from=OCTOBER, reason="back", user=None
        )
    told = Notification.objects.filter(
        kind=NotificationKind.REGRADE, user=people["s1_secretary"], period=OCTOBER
    ).order_by("pk")
    assert [(n.data["to"], n.data["weights"]) for n in told] == [("yellow", 2), ("red", 3)]


def test_new_data_under_the_same_versions_tells_nobody_of_a_regrade(
    months, django_capture_on_commit_callbacks
):
    IndicatorValue.objects.filter(period=SEPTEMBER, station=months[1]).update(value=95)
    with django_capture_on_commit_callbacks(execute=True):
        rerun = run_month(months[0].county.company, SEPTEMBER, trigger=RunTrigger.IMPORT)
    assert rerun.is_current and not rerun.unchanged
    assert regrade_notices() == set()


def test_a_regrade_that_changes_no_colour_tells_nobody(months, django_capture_on_commit_callbacks):
    # Nine indicators at 11, safety at 1: S1 stays on top, S3 at the bottom.
    codes = Indicator.objects.values_list("code", flat=True)
    weights = {code: Decimal(1 if code == "safety" else 11) for code in codes}
    with django_capture_on_commit_callbacks(execute=True):
        create_weight_set(
            company=months[0].county.company,
            weights=weights,
            effective_from=OCTOBER,
            reason="r",
            user=None,
        )
    assert ScoreRun.objects.get(period=OCTOBER, is_current=True).regraded_from is not None
    assert regrade_notices() == set()


def test_one_email_per_user_lists_the_colour_changes(
    settings, months, people, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.intranet.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://stations.intranet.example"
    settings.LANGUAGE_CODE = "en"
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER)
    mails = {message.to[0]: message for message in mail.outbox if "re-graded" in message.subject}
    # The S3 secretary has no address; S2 did not change colour.
    assert sorted(mails) == ["committee@example.cn", "s1@example.cn"]
    committee = mails["committee@example.cn"]
    assert committee.subject == "Five-colour map: 2026-10 re-graded, 2 stations changed colour"
    lines = [line for line in committee.body.splitlines() if line.startswith("- ")]
    assert len(lines) == 2 and "under weights v2" in lines[0]
    assert "https://stations.intranet.example/stations/S3/?period=2026-10" in committee.body
    run = ScoreRun.objects.get(period=OCTOBER, is_current=True)
    assert notify_regrade.apply(args=[run.pk]).get()["emailed"] == 0  # not twice
