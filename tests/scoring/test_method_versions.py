"""Methods chosen per company, versioned, recorded with each run; set_method's errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from indicators.models import IndicatorValue
from scoring.engine import ScoringMethod
from scoring.models import MethodVersion, ScoreRun, StationScore
from scoring.services import create_method_version
from stations.models import StationMember
from tests.builders import league_table, run_month
from tests.factories import CompanyFactory, UserFactory
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

CAP_AT_BLUE = {"indicator": "safety", "operator": ">=", "value": 30, "grade": "blue"}


def current(station, period):
    return StationScore.objects.get(station=station, period=period, run__is_current=True)


@pytest.mark.django_db
def test_a_new_method_regrades_its_months_and_leaves_earlier_ones_as_published(
    scored, django_capture_on_commit_callbacks
):
    company = scored[0].county.company
    september_run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    # October: S1 60 (orange by quota of 2), S2 40 (green). S1's safety value is 30.
    assert current(scored[0], OCTOBER).grade == "orange"
    method = league_table(caps=[CAP_AT_BLUE], grading="quotas", quotas_pct=(50, 0, 0, 0, 50))
    with django_capture_on_commit_callbacks(execute=True):
        version = create_method_version(
            company=company, method=method, effective_from=OCTOBER, reason="safety first"
        )
    october = current(scored[0], OCTOBER)
    assert october.run.method_version == version
    assert october.run.method_params["caps"] == [CAP_AT_BLUE]
    # N = 2 at 50 % red / 50 % yellow: S1 red by score, capped at blue (safety 30 ≥ 30).
    assert october.grade == "blue"
    assert october.flags["cap"] == {
        "indicator": "safety",
        "rule": ">= 30",
        "value": 30.0,
        "grade": "blue",
        "uncapped": "red",
    }
    # September was scored before the version takes effect: untouched, under the
    # company's version 1.
    assert ScoreRun.objects.get(period=SEPTEMBER, is_current=True) == september_run
    assert september_run.method_version.version == 1


@pytest.mark.django_db
def test_the_station_page_says_why_the_grade_is_capped(
    client, scored, member_factory, django_capture_on_commit_callbacks
):
    company = scored[0].county.company
    with django_capture_on_commit_callbacks(execute=True):
        create_method_version(
            company=company,
            method=league_table(caps=[CAP_AT_BLUE], quotas_pct=(50, 0, 0, 0, 50)),
            effective_from=OCTOBER,
            reason="",
        )
    client.force_login(member_factory(scored[0]))
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("mapviews:station", args=[scored[0].code]),
        {"period": "2026-10"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Capped at" in page and "(rule: &gt;= 30)" in page
    assert "By its score it would be" in page


@pytest.mark.django_db
def test_carried_values_are_flagged_on_the_station_page(client, three_stations, member_factory):
    company = three_stations[0].county.company
    create_method_version(
        company=company,
        method=league_table(missing={"safety": "carry_forward"}),
        effective_from=SEPTEMBER,
        reason="",
        recompute=False,
    )
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    # October: S1 has every indicator but safety (removed below), S2 and S3 complete.
    score_month(three_stations, OCTOBER, [30, 20, 10])
    IndicatorValue.objects.filter(
        station=three_stations[0], period=OCTOBER, indicator__code="safety"
    ).delete()
    run_month(company, OCTOBER)
    score = current(three_stations[0], OCTOBER)
    assert score.flags == {"carried": {"safety": 1}}
    assert score.normalised["safety"] == 0.0  # September's 10, the lowest of 10, 20, 10
    user = member_factory(three_stations[0])
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("mapviews:station", args=[three_stations[0].code]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "last value carried forward" in page and "(from 1 month before)" in page


@pytest.fixture
def scored(three_stations):
    """September S1 40, S2 50, S3 60; October S1 60, S2 40, S3 no data."""
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [30, 20, None])
    return three_stations


@pytest.fixture
def member_factory(db):
    def make(station):
        user = UserFactory()
        StationMember.objects.create(user=user, station=station)
        return user

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"grading": "quotas",\n "normalisation": }', "line 2: not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"grading": "stars"}', "grading must be one of"),
        ('{"colour": "red"}', "unknown settings colour"),
        ('{"missing": {"weather": "disqualify"}}', "unknown indicator codes weather"),
        ('{"thresholds": [90, 95, 70, 60], "grading": "thresholds"}', "fall from red to green"),
    ],
)
def test_set_method_refuses_a_bad_file_and_saves_nothing(company, write_file, content, message):
    path = write_file("method.json", content)
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("set_method", str(path), "--effective-from=2026-10")
    # Only the version 1 every new company starts with.
    assert list(MethodVersion.objects.values_list("version", flat=True)) == [1]


@pytest.mark.django_db
def test_set_method_saves_a_version_from_the_documented_example(scored, capsys):
    with translation.override("en"):
        call_command(
            "set_method",
            "docs/examples/method-safety-cap.json",
            "--effective-from=2026-10",
            reason="example",
        )
    version = MethodVersion.objects.get(version=2)  # after the company's version 1
    assert version.reason == "example"
    record = json.loads(Path("docs/examples/method-safety-cap.json").read_text(encoding="utf-8"))
    assert ScoringMethod.from_record(version.params) == ScoringMethod.from_record(record)
    out = capsys.readouterr().out
    assert "Saved method version 2 (minmax/quotas)" in out and "2026-10" in out


@pytest.mark.django_db
def test_a_version_dated_earlier_than_newer_ones_sits_between_them_in_the_history():
    from scoring.selectors import governing_before

    company = CompanyFactory()  # version 1, from 2000-01
    first = MethodVersion.objects.get(company=company)
    later = create_method_version(
        company=company, method=ScoringMethod(), effective_from=date(2026, 10, 1),
        reason="r", recompute=False,
    )  # fmt: skip
    earlier = create_method_version(
        company=company, method=ScoringMethod(), effective_from=date(2020, 1, 1),
        reason="r", recompute=False,
    )  # fmt: skip
    assert governing_before(later) == earlier
    assert governing_before(earlier) == first
    assert governing_before(first) is None
