"""The demo tells the seed's story under absolute scoring: the company improves unevenly
(some stations climb, most hold, a few slip), the colour counts change month to month,
the share of red stations rises but is far from all red, and 梅林 moves from yellow to
green in the last month. Read from the pages the committee reads where they show it."""

from __future__ import annotations

from datetime import date
from statistics import median

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from demo.company import COMPANY_NAME, MEILIN, ensure_users, load_demo
from scoring.engine.grades import GRADE_ORDER, grade_position
from scoring.engine.method import GOALPOSTS, THRESHOLDS, ScoringMethod
from scoring.grades import all_grade_displays
from scoring.models import MethodVersion, ScoreRun, StationScore
from scoring.targets import SEED_THRESHOLDS
from stations.models import Company

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)  # the demo's months: 2024-11 … 2026-10
FIRST, LAST = "2024-11", "2026-10"


@pytest.fixture
def demo(django_capture_on_commit_callbacks, client):
    """The loaded demo and a test client logged in as its party committee."""
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo(today=TODAY) is True
    ensure_users()
    client.force_login(get_user_model().objects.get(username="committee"))
    return client


def colour_counts(client) -> dict[str, dict[str, int]]:
    """Month → grade → stations, as the history page's stacked bars show them."""
    figure = client.get(reverse("mapviews:history")).context["figure"]
    labels = {display.label: display.code for display in all_grade_displays()}  # as served
    months: dict[str, dict[str, int]] = {}
    for trace in figure["data"]:
        for month, count in zip(trace["x"], trace["y"], strict=True):
            months.setdefault(month, {})[labels[trace["name"]]] = count
    return dict(sorted(months.items()))


def test_the_colour_counts_change_and_the_red_share_rises(demo):
    counts = colour_counts(demo)
    assert (next(iter(counts)), list(counts)[-1]) == (FIRST, LAST)
    vectors = [tuple(month.get(grade, 0) for grade in GRADE_ORDER) for month in counts.values()]
    assert len(set(vectors[-12:])) >= 3  # the "done when"
    assert all(vectors[-1])  # every colour in the last month (the pairings need them)

    # The all-red page: red bars against the graded line, over the 24 months.
    response = demo.get(reverse("improvement:all_red"))
    assert response.context["red_quota"] is None  # graded by thresholds, not quotas
    bars, line = response.context["figure"]["data"]
    assert bars["x"] == list(counts)
    shares = [red / graded for red, graded in zip(bars["y"], line["y"], strict=True)]
    first_year, last_year = sum(shares[:12]) / 12, sum(shares[12:]) / 12
    assert last_year > first_year + 0.05  # a visible upward trend …
    assert max(shares[:3]) < min(shares[-3:])
    assert shares[-1] < 0.5  # … far from all red
    assert len(set(bars["y"][-12:])) >= 3  # the red count itself moves

    # The bulletin's headline counts of the last month against the month before.
    bulletin = demo.get(reverse("improvement:bulletin"), {"period": LAST}).context["bulletin"]
    assert {count.grade.code: count.now for count in bulletin.counts} == {
        grade: counts[LAST][grade] for grade in GRADE_ORDER
    }
    assert any(count.change for count in bulletin.counts)


def test_meilin_moves_from_yellow_to_green_in_the_last_month(demo):
    grades = list(
        StationScore.objects.filter(station__name=MEILIN, run__is_current=True)
        .order_by("period")
        .values_list("grade", flat=True)
    )
    assert grades == ["yellow"] * 23 + ["green"]
    bulletin = demo.get(reverse("improvement:bulletin"), {"period": LAST}).context["bulletin"]
    meilin = next(move for move in bulletin.moved_up.rows if move.station.name == MEILIN)
    assert (meilin.before.code, meilin.after.code) == ("yellow", "green")
    assert meilin.score_now > meilin.score_before  # the score rose: the colour follows it


def test_some_stations_climb_most_hold_and_a_few_slip(demo):
    """By grade over the 24 months: a station's median grade of the first six months
    against that of the last six."""
    by_station: dict[str, list[int]] = {}
    scores = StationScore.objects.filter(run__is_current=True).exclude(grade="ungraded")
    for name, grade in scores.order_by("period").values_list("station__name", "grade"):
        by_station.setdefault(name, []).append(grade_position(grade))
    change = {name: median(g[:6]) - median(g[-6:]) for name, g in by_station.items()}
    climbed = [name for name, steps in change.items() if steps >= 1]
    slipped = [name for name, steps in change.items() if steps <= -1]
    held = len(change) - len(climbed) - len(slipped)
    assert len(climbed) >= 5 and any(change[name] >= 2 for name in climbed)
    assert 2 <= len(slipped) < len(climbed)
    assert held > len(climbed) + len(slipped)  # most hold roughly
    # The history page from the first month to the last lists both kinds of move.
    page = demo.get(reverse("mapviews:history"), {"from": FIRST, "to": LAST}).context
    assert page["moved_up_count"] > page["moved_down_count"] > 0


def test_the_demo_is_graded_by_its_targets(demo):
    company = Company.objects.get(name=COMPANY_NAME)
    versions = MethodVersion.objects.filter(company=company)
    assert versions.count() == 1
    method = ScoringMethod.from_record(versions.get().params)
    assert (method.normalisation, method.grading) == (GOALPOSTS, THRESHOLDS)
    assert method.thresholds == SEED_THRESHOLDS
    for run in ScoreRun.objects.filter(company=company, is_current=True):
        assert ScoringMethod.from_record(run.method_params) == method
