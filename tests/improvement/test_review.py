"""The committee's weak-station review."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from improvement.engine.weakness import score_change, streak, weak_stations
from improvement.services import IndicatorCause, MeasureFields, create_measure
from indicators.models import Indicator
from tests.factories import DepartmentHelpFactory, PairingFactory, ProjectFactory
from tests.mapviews.months import OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db
URL = reverse("improvement:review")
HIGHER = ["safety", "customer_satisfaction", "getting_electricity", "party_building",
          "financial", "team_performance"]  # fmt: skip


def _codes(rows):
    return [row.station.code for row in rows]


def test_the_weak_stations_of_a_month_worst_first_with_their_weak_indicators(login, people):
    response = login(people["committee"]).get(URL, {"period": "2026-09"})
    rows = [row for row, _spark, _can in response.context["rows"]]
    # September: S1 40 (yellow), S2 50 (blue), S3 60 (red). S3 has the highest raw values,
    # the worst where lower is better: red, but yellow on four indicators.
    assert _codes(rows) == ["S1", "S3"]
    s1, s3 = rows
    assert (s1.grade.code, s1.score, s1.rank, s1.months_weak) == ("yellow", 40.0, 3, 1)
    assert sorted(line.indicator.code for line in s1.weak_indicators) == sorted(HIGHER)
    assert {line.indicator.code for line in s3.weak_indicators} == {
        "fault_outage", "frequent_outage", "line_loss", "integrity_risk"
    }  # fmt: skip
    line = s3.weak_indicators[0]
    assert (line.value, line.median, line.grade.code, line.months_weak) == (30.0, 20.0, "yellow", 1)
    assert s3.months_weak == 0  # red: only its indicators are weak
    assert all(row.unattended for row in rows)
    assert response.context["unattended_count"] == 2
    html = response.content.decode()
    assert "Nothing is being done yet." in html and "Yellow · Lagging" in html


def test_how_long_weak_and_the_previous_grade(login, people):
    response = login(people["committee"]).get(URL, {"period": "2026-10"})
    rows = [row for row, _spark, _can in response.context["rows"]]
    assert _codes(rows) == ["S2"]  # October: S1 60 orange, S2 40 green, S3 no data
    (s2,) = rows
    assert (s2.grade.code, s2.previous_grade.code, s2.months_weak) == ("green", "blue", 1)
    assert s2.scores[-2:] == [50.0, 40.0]
    assert "last month Blue · Average" in response.content.decode()


def test_work_under_way_is_shown_and_the_filter_keeps_the_unattended(login, people, scored):
    measure = create_measure(
        station=scored[0],
        fields=MeasureFields(title="Safety drills", owner="o", due_month=OCTOBER),
        based_on=SEPTEMBER,
        causes=[IndicatorCause("safety", "station")],
    )
    client = login(people["committee"])
    rows = [row for row, _s, _c in client.get(URL, {"period": "2026-09"}).context["rows"]]
    s1 = rows[0]
    assert s1.work.measures == [measure] and not s1.unattended
    attended = {line.indicator.code for line in s1.weak_indicators if line.attended}
    assert attended == {"safety"}
    only = client.get(URL, {"period": "2026-09", "unattended": "1"})
    assert _codes(row for row, _s, _c in only.context["rows"]) == ["S3"]
    assert only.context["unattended_count"] == 1


def test_a_month_without_scores_says_so(login, people):
    response = login(people["committee"]).get(URL, {"period": "2026-08"})
    assert response.status_code == 200
    assert "rows" not in response.context


def test_the_review_is_for_the_committee(login, people):
    assert login(people["secretary"]).get(URL).status_code == 403


def _work_for(stations, period, code="safety"):
    """A measure, a pairing, department help and a project (on ``code``) for each station."""
    indicator = Indicator.objects.get(code=code)
    s1, _s2, s3 = stations
    for station in stations:
        create_measure(
            station=station,
            fields=MeasureFields(title=f"m{station.pk}{code}", owner="o", due_month=OCTOBER),
            based_on=period,
            causes=[IndicatorCause("safety"), IndicatorCause("line_loss")],
        )
        DepartmentHelpFactory(station=station, based_on=period, indicator=indicator)
        ProjectFactory(station=station, indicator=indicator)
    PairingFactory(weak_station=s1, strong_station=s3, based_on=period)


def test_review_queries_do_not_grow_with_the_work(login, people, scored, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people["committee"])
    settings.PAGE_BODY_SECONDS = 0  # the body rendered each time (kept: the test below)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"period": "2026-09"})
        assert response.status_code == 200 and len(response.context["rows"]) == 2
        return len(captured)

    # The first request orders the month's weak stations (one query); the order is kept
    # for the run, so later requests read only the rows of their page.
    # (Nothing kept: the header's own station is read with the viewer's stamp each time,
    # the viewer's scope (stations.scope) with their rights.)
    assert queries() == 25  # no work: the measures' indicators are not even asked for
    assert queries() == 23
    _work_for(scored, SEPTEMBER)
    with_work = queries()
    _work_for(scored, SEPTEMBER, "line_loss")  # twice the records
    # Recorded work is new data: the weak order is read again (its key holds the data's
    # generation, so that a station moved to another county is listed there).
    assert queries() == with_work == 26  # pinned: no query per row or per record


def test_a_kept_review_is_a_few_queries_and_follows_the_work(
    login, people, scored, django_assert_max_num_queries
):
    client = login(people["committee"])
    first = client.get(URL, {"period": "2026-09"}).content.decode()
    with django_assert_max_num_queries(9):  # session, user, stamp and the header's own
        again = client.get(URL, {"period": "2026-09"}).content.decode()
    assert _main(again) == _main(first)
    _work_for(scored, SEPTEMBER)  # a measure recorded: the kept body is out of date
    after = client.get(URL, {"period": "2026-09"}).content.decode()
    assert after.count("nothing being done") < first.count("nothing being done")


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (["green", "yellow", "yellow"], 3),
        (["yellow", "blue", "green"], 1),
        (["yellow", None, "green"], 1),
        (["red"], 0),
        ([], 0),
    ],
)
def test_streak_counts_the_months_in_a_row_up_to_the_last(grades, expected):
    assert streak(grades, ("green", "yellow")) == expected


def test_score_change_needs_both_ends():
    assert score_change([40.0, 41.0, 42.5, 45.0], 3) == 5.0
    assert score_change([None, 41.0, 42.5, 45.0], 3) is None
    assert score_change([42.5, 45.0], 3) is None


def test_weak_stations_order_yellow_first_then_most_lagging_indicators():
    import pandas as pd

    grades = pd.Series(["red", "green", "yellow", "blue", "green"], index=[1, 2, 3, 4, 5])
    indicators = pd.DataFrame(
        {
            "a": ["yellow", "blue", "red", "red", "yellow"],
            "b": ["red", "red", "red", "red", "yellow"],
        },
        index=[1, 2, 3, 4, 5],
    )
    # 3 yellow; 5 and 2 green (5 has two yellow indicators); 1 red with one; 4 is not weak.
    assert weak_stations(grades, indicators) == [3, 5, 2, 1]


def test_the_station_pages_work_section_reads_in_a_fixed_number_of_queries(
    login, people, scored, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people["staff"])
    url = reverse("mapviews:station", args=["S1"])
    settings.PAGE_BODY_SECONDS = 0  # nothing kept: the page's own queries each time

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _work_for(scored, SEPTEMBER)
    with_work = queries()
    _work_for(scored, SEPTEMBER, "line_loss")  # twice the records
    assert queries() == with_work


def test_a_long_weak_streak_reads_as_the_bulletin_writes_it(login, people, scored):
    """The review counts a station's weak months as the bulletin does, past its own 12
    months of history (it used to say "at least 12" where the bulletin said 14)."""
    from improvement.selectors.bulletin import read_bulletin
    from improvement.text.bulletin import weak_months_value
    from indicators.periods import add_months
    from tests.mapviews.months import score_month

    for back in range(1, 14):  # 13 more months like September: S1 lowest, yellow
        score_month(scored, add_months(SEPTEMBER, -back), [10, 20, 30])
    response = login(people["committee"]).get(URL, {"period": "2026-09"})
    (s1,) = [row for row, _spark, _can in response.context["rows"] if row.station == scored[0]]
    assert s1.months_weak == 14
    html = response.content.decode()
    assert "green or yellow for 14 months in a row" in html and "at least" not in html
    assert "(12+ months)" in html  # an indicator weak in all 12 months the review reads
    bulletin = read_bulletin(scored[0].county.company, SEPTEMBER)
    (listed,) = [row for row in bulletin.weak.rows if row.station == scored[0]]
    assert weak_months_value(listed) == 14


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (1, "green or yellow for 1 month in a row"),
        (24, "green or yellow for 24 months in a row"),
        (25, "green or yellow for 24+ months in a row"),  # as the bulletin writes it
    ],
)
def test_the_weak_streak_in_words(months, text):
    from improvement.text.bulletin import weak_streak_text

    with translation.override("en"):
        assert weak_streak_text(months) == text


def test_a_read_only_viewer_is_not_offered_the_pages_that_act(login, people, scored):
    """A province viewer reads the review but is not sent to pairing or department help,
    which refuse them (they read, they do not act); the committee sees both tabs."""
    from stations.models import OrgUnit
    from tests.factories import user_with_role

    province = OrgUnit.objects.create(code="PROV", name="省公司")
    company = scored[0].county.company
    company.parent = province
    company.save(update_fields=["parent"])
    viewer = user_with_role("party_committee", unit=province)
    pairing, help_page = reverse("improvement:pairing"), reverse("improvement:help")
    mine = login(people["committee"]).get(URL, {"period": "2026-09"}).content.decode()
    assert f'href="{pairing}' in mine and f'href="{help_page}' in mine
    page = login(viewer).get(URL, {"period": "2026-09"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="{pairing}' not in text and f'href="{help_page}' not in text
    assert login(viewer).get(pairing).status_code == 403
