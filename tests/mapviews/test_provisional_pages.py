"""A month under review is said to be provisional on every page that shows its grades
and on the widget, in both languages; its station's own staff may object, nobody else;
kept pages show a change of state at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoring.models import CloseState, MonthClose
from scoring.services.monthclose import close_month
from tests.factories import MonthCloseFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db

LABEL = {"en": "Provisional", "zh-hans": "暂定"}

#: Every page that shows October's grades (its stations are S1 and S2).
PAGES = [
    ("mapviews:map", [], {"period": "2026-10"}),
    ("mapviews:ranking", [], {"period": "2026-10"}),
    ("mapviews:matrix", [], {"period": "2026-10"}),
    ("mapviews:history", [], {}),
    ("mapviews:station", ["S1"], {"period": "2026-10"}),
    ("improvement:bulletin", [], {"period": "2026-10"}),
    ("mapviews:widget", [], {"period": "2026-10"}),
]


@pytest.fixture
def october_under_review(scored):
    return MonthCloseFactory(company=scored[0].county.company, period=OCTOBER)


@pytest.fixture
def committee(client, scored):
    client.force_login(user_with_role("party_committee"))
    return client


def _page(client, name, args, query, language):
    client.cookies["django_language"] = language
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, name
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("name", "args", "query"), PAGES)
def test_every_page_of_a_provisional_month_says_so_in_words(
    committee, october_under_review, language, name, args, query
):
    page = _page(committee, name, args, query, language)
    assert f'<strong class="provisional-badge">{LABEL[language]}</strong>' in page


@pytest.mark.parametrize(("name", "args", "query"), PAGES)
def test_a_final_month_is_not_marked(committee, scored, name, args, query):
    page = _page(committee, name, args, query, "en")
    # The map keeps its note hidden, for the stepper to show on a provisional month.
    page = page.replace('<p class="provisional-note js-map-provisional" role="note" hidden>', "")
    assert '<p class="provisional-note' not in page and "widget-provisional" not in page


def test_the_map_json_of_each_month_says_whether_it_is_provisional(committee, october_under_review):
    url = reverse("mapviews:map_month")
    assert committee.get(url, {"period": "2026-10"}).json()["provisional"] is True
    assert committee.get(url, {"period": "2026-09"}).json()["provisional"] is False


def test_the_history_names_the_provisional_months(committee, october_under_review):
    page = _page(committee, "mapviews:history", [], {}, "en")
    assert "Grades under review, which may still change: 2026-10." in page


def test_a_kept_page_shows_the_close_at_once(committee, october_under_review):
    admin = user_with_role("admin")
    before = _page(committee, "mapviews:ranking", [], {"period": "2026-10"}, "en")
    widget = _page(committee, "mapviews:widget", [], {"period": "2026-10"}, "en")
    assert "provisional-badge" in before and "provisional-badge" in widget
    close_month(company=october_under_review.company, period=OCTOBER, user=admin)
    assert MonthClose.objects.get().state == CloseState.CLOSED
    after = _page(committee, "mapviews:ranking", [], {"period": "2026-10"}, "en")
    widget = _page(committee, "mapviews:widget", [], {"period": "2026-10"}, "en")
    assert "provisional-badge" not in after and "provisional-badge" not in widget


def test_a_station_objects_from_its_page_and_sees_the_answer_there(
    client, scored, october_under_review
):
    secretary = user_with_role("station_secretary", station=scored[0])
    client.force_login(secretary)
    client.cookies["django_language"] = "en"
    station = reverse("mapviews:station", args=["S1"])
    page = client.get(station, {"period": "2026-10"}).content.decode()
    assert "Object to this grade" in page
    url = reverse("scoring:objection_new", args=["S1"])
    short = client.post(url, {"period": "2026-10", "reason": "no"})
    assert "Ensure this value has at least 5 characters" in short.content.decode()
    sent = client.post(url, {"period": "2026-10", "reason": "计划检修停电应剔除"}, follow=True)
    text = sent.content.decode()
    assert "Your objection is sent to the administrators." in text
    assert "计划检修停电应剔除" in text and "Object to this grade" not in text
    assert october_under_review.objections.get().raised_by == secretary


def test_the_objection_form_says_how_long_and_the_page_names_the_objector(
    client, scored, october_under_review
):
    secretary = user_with_role(
        "station_secretary", station=scored[0], username="lijuan", first_name="李娟"
    )
    client.force_login(secretary)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("scoring:objection_new", args=["S1"])
    form = client.get(url, {"period": "2026-10"}).content.decode()
    assert "等级有何问题？</label>" in form and "？：" not in form
    client.cookies["django_language"] = "en"
    form = client.get(url, {"period": "2026-10"}).content.decode()
    assert "At least 5 and at most 2000 characters." in form
    client.post(url, {"period": "2026-10", "reason": "计划检修停电应剔除"})
    client.force_login(user_with_role("admin"))
    detail = reverse("scoring:month_close_detail", args=["2026-10"])
    page = client.get(detail).content.decode()
    assert " · 李娟</span>" in page and "lijuan" not in page


def test_a_station_cannot_object_for_another_station(client, scored, october_under_review):
    client.force_login(user_with_role("station_staff", station=scored[0]))
    client.cookies["django_language"] = "en"
    url = reverse("scoring:objection_new", args=["S2"])
    refused = client.post(url, {"period": "2026-10", "reason": "not our station"})
    assert refused.status_code == 403
    other = client.get(reverse("mapviews:station", args=["S2"]), {"period": "2026-10"})
    assert "Object to this grade" not in other.content.decode()
    assert not october_under_review.objections.exists()


def test_no_objection_to_a_final_month(client, scored):
    client.force_login(user_with_role("station_staff", station=scored[0]))
    client.cookies["django_language"] = "en"
    url = reverse("scoring:objection_new", args=["S1"])
    answer = client.get(url, {"period": "2026-10"}, follow=True)
    assert "This month&#x27;s grades are final: there is no review." in answer.content.decode()


def test_the_administrator_answers_and_closes_from_the_pages(client, scored, october_under_review):
    from tests.factories import ObjectionFactory

    objection = ObjectionFactory(month=october_under_review, station=scored[0])
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    detail = reverse("scoring:month_close_detail", args=["2026-10"])
    assert objection.reason in client.get(detail).content.decode()
    close = reverse("scoring:month_close_now", args=["2026-10"])
    refused = client.post(close, {"back": "detail", "confirm": "on"}, follow=True).content.decode()
    assert "Answer the open objections first (1 open)." in refused
    answer = reverse("scoring:objection_answer", args=[objection.pk])
    client.post(answer, {"decision": "reject", "reply": "数据无误"})
    confirm = reverse("scoring:month_close_confirm", args=["2026-10"])
    assert f'href="{confirm}"' in client.get(detail).content.decode()  # a link, not a POST
    page = client.get(confirm).content.decode()
    assert "A closed month cannot be reopened." in page
    assert "I understand that closing makes this month&#x27;s grades final for good" in page
    unconfirmed = client.post(close, follow=True).content.decode()
    assert "Tick the box to confirm that the month is closed for good." in unconfirmed
    assert MonthClose.objects.get(period=OCTOBER).provisional  # still open
    closed = client.post(close, {"confirm": "on"}, follow=True).content.decode()
    assert "2026-10 is closed: its grades are final." in closed
    assert SEPTEMBER < OCTOBER  # September never was under review
    assert not MonthClose.objects.filter(period=SEPTEMBER).exists()


def test_the_bulletins_workbook_of_a_provisional_month_says_so(committee, october_under_review):
    import io

    from openpyxl import load_workbook

    from tests.downloads import body

    committee.cookies["django_language"] = "en"
    url = reverse("improvement:bulletin_download", args=["2026-10", "xlsx"])
    workbook = load_workbook(io.BytesIO(body(committee.get(url))))
    title = workbook.worksheets[0]["A1"].value
    assert title == "Five-colour map monthly bulletin 2026-10 (Provisional)"


def test_no_objection_offered_once_the_review_window_is_over(client, scored, october_under_review):
    """The button led to a form whose sending was refused ("The review of this month is
    over"): the page offers only what the station may still do."""
    from datetime import timedelta

    from django.utils import timezone

    october_under_review.review_until = timezone.localdate() - timedelta(days=1)
    october_under_review.save()
    client.force_login(user_with_role("station_secretary", station=scored[0]))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("mapviews:station", args=["S1"]), {"period": "2026-10"})
    assert "Object to this grade" not in page.content.decode()
