"""A published month re-graded under other versions: the run remembers what it replaced,
and every page of the month says so."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from indicators.models import IndicatorValue
from scoring.models import RunTrigger, ScoreRun
from scoring.services import publish_run
from tests.builders import run_month
from tests.factories import user_with_role
from tests.scoring.regrades import OCTOBER, SEPTEMBER, regrade_by_command, score_strengths

pytestmark = pytest.mark.django_db


@pytest.fixture
def months(three_stations):
    score_strengths(three_stations, SEPTEMBER)
    score_strengths(three_stations, OCTOBER)
    return three_stations


def published(period=OCTOBER) -> ScoreRun:
    return ScoreRun.objects.select_related("weight_set").get(period=period, is_current=True)


def test_a_command_line_regrade_remembers_the_run_it_replaced(
    months, django_capture_on_commit_callbacks
):
    before = {period: published(period) for period in (SEPTEMBER, OCTOBER)}
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, SEPTEMBER)
    for period in (SEPTEMBER, OCTOBER):
        run = published(period)
        assert run.weight_set.version == 2 and run.trigger == RunTrigger.WEIGHTS
        assert run.regraded_from == before[period]
        assert run.published_at is not None


def test_a_published_proposal_remembers_the_run_it_replaced(
    months, django_capture_on_commit_callbacks
):
    old = published()
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER, publish=False)
    proposal = ScoreRun.objects.get(period=OCTOBER, weight_set__version=2)
    assert not proposal.is_current and proposal.regraded_from is None  # waits: not yet
    publish_run(proposal.pk)
    proposal.refresh_from_db()
    assert proposal.is_current and proposal.regraded_from == old


def test_new_data_under_the_same_versions_is_no_regrade(months):
    IndicatorValue.objects.filter(period=OCTOBER, station=months[1]).update(value=60)
    rerun = run_month(months[0].county.company, OCTOBER, trigger=RunTrigger.IMPORT)
    assert rerun.is_current and rerun.regraded_from is None
    assert rerun.published_at is not None


@pytest.fixture
def regraded(months, django_capture_on_commit_callbacks):
    """October re-graded under weights v2 from the command line."""
    with django_capture_on_commit_callbacks(execute=True):
        regrade_by_command(months[0].county.company, OCTOBER)
    return months


def _page(client, user, name, *args, **params) -> str:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse(name, args=args), {"period": "2026-10", **params})
    assert response.status_code == 200
    return response.content.decode()


def _today() -> str:
    return timezone.localdate().isoformat()


MONTH_PAGES = [
    ("mapviews:home", ()),
    ("mapviews:ranking", ()),
    ("mapviews:matrix", ()),
    ("mapviews:station", ("S1",)),
    ("improvement:bulletin", ()),
]


@pytest.mark.parametrize(("name", "args"), MONTH_PAGES)
def test_every_page_of_the_month_says_it_was_regraded_with_links(client, regraded, name, args):
    page = _page(client, user_with_role("party_committee"), name, *args)
    assert (
        f"This month was re-graded on {_today()} under "
        f'<a href="{reverse("scoring:weight_detail", args=[2])}">weights v2</a> and the default '
        f'grading rules (before: <a href="{reverse("scoring:weight_detail", args=[1])}">'
        "weights v1</a> and the default grading rules)." in page
    )


#: The month pages a station secretary may open (the matrix and bulletin are the committee's).
SECRETARY_PAGES = [
    page
    for page in MONTH_PAGES
    if page[0] in ("mapviews:home", "mapviews:ranking", "mapviews:station")
]


@pytest.mark.parametrize(("name", "args"), SECRETARY_PAGES)
def test_without_the_right_to_see_versions_the_note_has_no_links(client, regraded, name, args):
    secretary = user_with_role("station_secretary", station=regraded[0])
    page = _page(client, secretary, name, *args)
    assert (
        f"This month was re-graded on {_today()} under weights v2 and the default grading "
        "rules (before: weights v1 and the default grading rules)." in page
    )
    assert reverse("scoring:weight_detail", args=[2]) not in page


@pytest.mark.parametrize(("name", "args"), MONTH_PAGES)
def test_a_month_not_regraded_says_nothing(client, regraded, name, args):
    page = _page(client, user_with_role("party_committee"), name, *args, period="2026-09")
    assert "re-graded" not in page


def test_the_widget_says_it_in_one_short_line(client, regraded):
    page = _page(client, user_with_role("party_committee"), "mapviews:widget")
    assert f'<p class="widget-regrade muted">Re-graded on {_today()}</p>' in page


def test_the_maps_month_data_carries_the_note_as_plain_text(client, regraded):
    client.force_login(user_with_role("party_committee"))
    with translation.override("en"):
        url = reverse("mapviews:map_month")
        october = client.get(url, {"period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en").json()
        september = client.get(url, {"period": "2026-09"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert october["regrade_note"].startswith(f"This month was re-graded on {_today()} under")
    assert "<a" not in october["regrade_note"]
    assert september["regrade_note"] == ""


def test_new_data_after_a_regrade_keeps_the_note(client, regraded):
    IndicatorValue.objects.filter(period=OCTOBER, station=regraded[1]).update(value=60)
    rerun = run_month(regraded[0].county.company, OCTOBER, trigger=RunTrigger.IMPORT)
    assert rerun.is_current and rerun.regraded_from is None
    page = _page(client, user_with_role("party_committee"), "mapviews:ranking")
    assert f"This month was re-graded on {_today()} under" in page


def test_the_note_is_in_chinese_by_default(client, regraded):
    client.force_login(user_with_role("station_secretary", station=regraded[0]))
    page = client.get(reverse("mapviews:ranking"), {"period": "2026-10"}).content.decode()
    with translation.override("zh-hans"):
        from scoring.regrade_text import regrade_plain_text
        from scoring.selectors import regrade_note

        expected = regrade_plain_text(regrade_note(regraded[0].county.company_id, OCTOBER))
    assert expected in page
