"""The first-cut pages: login, ranking, station page; Chinese by default."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.builders import run_month, write_values
from tests.factories import CompanyFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, score_month
from tests.pages import month_stepper

pytestmark = pytest.mark.django_db


def test_pages_need_login(client, scored):
    for url in (reverse("mapviews:ranking"), reverse("mapviews:station", args=["S1"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_health_is_public(client, db):
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok"}  # no REDIS_URL in the tests: not checked


def test_ranking_shows_grades_with_labels_and_changes(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("mapviews:ranking"), {"period": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.station.code, row.score, row.rank, row.grade.code) for row in rows] == [
        ("S1", 60.0, 1, "orange"),
        ("S2", 40.0, 2, "green"),
        ("S3", None, None, "ungraded"),
    ]
    s1 = rows[0]
    assert (s1.previous_rank, s1.rank_change, s1.grade_change) == (3, 2, 3)
    assert s1.previous_grade.code == "yellow"
    assert "Orange · Good" in html
    assert "was Yellow · Lagging" in html
    assert "▲ 2" in html
    assert "no data for this month" in html
    assert "my station" in html


def test_ranking_defaults_to_the_newest_month(client, member):
    client.force_login(member)
    stepper = month_stepper(client.get(reverse("mapviews:ranking")))
    assert (stepper["month"], stepper["previous"], stepper["next"]) == ("2026-10", "2026-09", None)


def test_ranking_filters_by_county(client, member, company):
    other = StationFactory(code="X1", county__company=company, county__name="江北")
    client.force_login(member)
    response = client.get(reverse("mapviews:ranking"), {"county": other.county_id})
    # Only 江北's station, added after the month was scored: listed as not scored yet.
    assert [(row.station.code, row.ungraded_reason) for row in response.context["rows"]] == [
        ("X1", "not_scored")
    ]
    assert response.context["legend"][-1][1] == 1


def test_ranking_bad_month_is_400_not_a_traceback(client, member):
    client.force_login(member)
    assert client.get(reverse("mapviews:ranking"), {"period": "2026-13"}).status_code == 400


def test_ranking_without_scores_explains(client, db):
    client.force_login(user_with_role("station_staff", company=CompanyFactory()))
    response = client.get(reverse("mapviews:ranking"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "尚无已计算得分的月份。请导入指标数据后查看排名。" in response.content.decode()


def test_station_page_history_and_indicators(client, member):
    client.force_login(member)
    response = client.get(reverse("mapviews:station", args=["S1"]))
    assert response.status_code == 200
    strip = response.context["strip_cells"]
    assert [label for label, _score, _grade, _work in strip] == ["2026-09", "2026-10"]
    assert [grade.code for _label, _score, grade, _work in strip] == ["yellow", "orange"]
    lines = response.context["indicators"]
    assert len(lines) == 10
    safety = next(line for line in lines if line.indicator.code == "safety")
    assert (safety.value, safety.normalised) == (30.0, 100.0)
    html = response.content.decode()
    assert 'id="score-history-figure"' in html
    assert "/static/vendor/plotly-" in html
    assert "cdn.plot.ly" not in html


def test_station_page_unknown_code_is_404(client, member):
    client.force_login(member)
    assert client.get(reverse("mapviews:station", args=["NOPE"])).status_code == 404


def test_browser_language_does_not_override_the_chinese_default(client, member):
    client.force_login(member)
    response = client.get(reverse("mapviews:ranking"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "供电所排名" in response.content.decode()


def test_language_can_be_switched_before_login(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


def test_english_is_available(client, member):
    client.force_login(member)
    client.post(reverse("set_language"), {"language": "en", "next": "/ranking/"})
    response = client.get(reverse("mapviews:ranking"))
    assert response["Content-Language"] == "en"
    assert "Station ranking" in response.content.decode()


#: The header's queries on every page: the viewer's roles, and their permissions (2), and
#: the count of their unread notifications.
HEADER_QUERIES = 4


def test_ranking_query_count_does_not_grow_with_stations(
    client, django_assert_max_num_queries, member, company
):
    client.force_login(member)
    # + 1: the key of the kept body (mapviews/pagecache.py); the rows are paged in SQL
    with django_assert_max_num_queries(13 + HEADER_QUERIES):
        client.get(reverse("mapviews:ranking"))
    county = member.station_membership.station.county
    more = [StationFactory(county=county) for _ in range(20)]
    score_month(more, OCTOBER, list(range(20)))
    with django_assert_max_num_queries(13 + HEADER_QUERIES):
        client.get(reverse("mapviews:ranking"))
    # Kept: session, user, the body's key, and the header (+ 2: the link to their station).
    with django_assert_max_num_queries(3 + HEADER_QUERIES + 2):
        client.get(reverse("mapviews:ranking"))


def test_station_page_query_count(client, django_assert_max_num_queries, member):
    client.force_login(member)
    # + 4: the improvement section (measures, pairings, help, projects) for those who
    # see the station's detail; + 1: the month's re-grade note; + 2: the county peers
    # around the station (its place, then the window: bounded whatever the county's size);
    # + 1: the key of the kept body (mapviews/pagecache.py); + 1: the viewer's scope
    # (stations.scope: kept per state of the data, like the rights).
    with django_assert_max_num_queries(12 + HEADER_QUERIES + 4 + 1 + 2 + 1 + 1):
        client.get(reverse("mapviews:station", args=["S1"]))
    # Kept: session, user, the body's key, and the header (+ 2: the link to their station).
    with django_assert_max_num_queries(3 + HEADER_QUERIES + 2):
        client.get(reverse("mapviews:station", args=["S1"]))


def test_plotly_js_is_found_and_served_locally(client, member, settings):
    from django.contrib.staticfiles import finders
    from plotly.offline import get_plotlyjs_version

    from mapviews.staticfinders import plotly_static_path

    assert plotly_static_path() == f"vendor/plotly-{get_plotlyjs_version()}/plotly.min.js"
    found = finders.find(plotly_static_path())
    assert found and found.endswith("plotly.min.js")
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(member)
    response = client.get("/static/" + plotly_static_path())
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert get_plotlyjs_version().encode() in body[:2000]


def test_collectstatic_includes_plotly(settings, tmp_path):
    from django.core.management import call_command

    from mapviews.staticfinders import plotly_static_path

    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--no-input", verbosity=0)
    assert (tmp_path / plotly_static_path()).stat().st_size > 1_000_000
    assert (tmp_path / "css" / "app.css").exists()


def test_a_month_without_scores_says_so(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("mapviews:ranking"), {"period": "2030-01"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "2030-01 has no scores." in html
    assert "Show 2026-10, the latest scored month" in html


def test_home_opens_on_the_newest_month_that_grades_someone(client, member, scored):
    # A first trickle of November data: one station, too little to grade anyone.
    company = scored[0].county.company
    write_values(date(2026, 11, 1), {scored[0]: {"safety": 90}})
    run_month(company, date(2026, 11, 1))
    client.force_login(member)
    stepper = month_stepper(client.get(reverse("mapviews:ranking")))
    assert stepper["month"] == "2026-10" and "2026-11" in stepper["months"]
