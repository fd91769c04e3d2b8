"""Under a league table a grade can fall while the score rises: every place that shows
the two side by side says why (the notice, the bulletin, the station and review pages)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from improvement.models import Notification
from improvement.services.notices import notify_grade_drops
from improvement.text.notices import notice_text
from scoring.engine import ScoringMethod
from scoring.models import StationScore
from scoring.services import create_method_version
from tests.builders import score_month
from tests.factories import OCTOBER, SEPTEMBER, StationFactory, user_with_role

pytestmark = pytest.mark.django_db

WHY = "other stations improved more"


@pytest.fixture
def league_month(company):
    """Five stations graded by min-max and 20 % quotas: R's score rises 40 → 50 in
    October while two stations pass it, so it drops from blue to green."""
    county = company.counties.create(name="鄞州")
    stations = [StationFactory(code=code, county=county) for code in "PQRST"]
    create_method_version(
        company=company,
        method=ScoringMethod(normalisation="minmax", grading="quotas"),
        effective_from=date(2026, 1, 1),
        reason="league table",
        recompute=False,
    )
    score_month(stations, SEPTEMBER, [0, 20, 40, 60, 100])
    run = score_month(stations, OCTOBER, [0, 60, 50, 70, 100])
    return stations, run


def grade_and_score(station, period):
    row = StationScore.objects.get(station=station, period=period, run__is_current=True)
    return row.grade, row.score


def test_the_notice_says_why_the_grade_fell_while_the_score_rose(league_month):
    stations, run = league_month
    r = stations[2]
    (was, before), (now, after) = (grade_and_score(r, p) for p in (SEPTEMBER, OCTOBER))
    assert after > before and (was, now) == ("blue", "green")
    user_with_role("party_committee")
    notify_grade_drops(run_id=run.pk)
    notice = Notification.objects.get(station=r)
    assert notice.data["against_score"] == "others_improved_more"
    with translation.override("en"):
        text = notice_text(notice)
    assert "The score rose but the grade fell" in text and WHY in text


def test_an_old_notice_without_the_reason_still_says_the_grade_does_not_follow_the_score(
    league_month,
):
    stations, run = league_month
    user_with_role("party_committee")
    notify_grade_drops(run_id=run.pk)
    notice = Notification.objects.get(station=stations[2])
    del notice.data["against_score"]
    with translation.override("en"):
        text = notice_text(notice)
    assert "The score rose but the grade fell" in text and "not on the score alone" in text


def test_the_station_page_and_the_bulletin_say_why(client, league_month):
    stations, _run = league_month
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("mapviews:station", args=[stations[2].code]), {"period": "2026-10"}
    ).content.decode()
    assert "The score rose but the grade fell" in page and WHY in page
    bulletin = client.get(reverse("improvement:bulletin"), {"period": "2026-10"})
    assert WHY in bulletin.content.decode()
    # A station whose grade followed its score gets no note (S rose with its score).
    other = client.get(
        reverse("mapviews:station", args=[stations[0].code]), {"period": "2026-10"}
    ).content.decode()
    assert "but the grade" not in other


def test_the_review_page_says_why(client, league_month):
    stations, _run = league_month
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("improvement:review"), {"period": "2026-10"}).content.decode()
    assert stations[2].name in page and WHY in page
