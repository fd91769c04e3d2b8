"""Each run's grade counts, stored with its scores, read by ``run_grade_counts``."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection

from scoring.models import RunGradeCount, ScoreRun, StationScore
from scoring.selectors import current_grade_counts, run_grade_counts
from tests.factories import StationFactory
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("scoring.migrations.0010_backfill_run_grade_counts").backfill


def counted(run: ScoreRun, county_id: int | None = None) -> dict[str, int]:
    """The run's grades counted from its rows, the way the pages used to."""
    rows = StationScore.objects.filter(run=run)
    if county_id:
        rows = rows.filter(station__county_id=county_id)
    found = Counter(rows.values_list("grade", flat=True))
    return {grade: found.get(grade, 0) for grade in run_grade_counts([run.pk])[run.pk]}


@pytest.fixture
def two_counties(three_stations):
    other = three_stations[0].county.company.counties.create(name="江北")
    return [*three_stations, StationFactory(code="S4", county=other)]


def test_a_run_stores_its_grade_counts_per_county_and_in_all(two_counties):
    score_month(two_counties, SEPTEMBER, [10, 20, 30, None])
    run = ScoreRun.objects.get(is_current=True)
    first, other = two_counties[0].county_id, two_counties[3].county_id
    assert run_grade_counts([run.pk])[run.pk] == counted(run)
    assert run_grade_counts([run.pk], first)[run.pk] == counted(run, first)
    assert run_grade_counts([run.pk], other)[run.pk] == {
        "red": 0, "orange": 0, "blue": 0, "green": 0, "yellow": 0, "ungraded": 1,
    }  # fmt: skip
    assert sum(run_grade_counts([run.pk])[run.pk].values()) == 4


def test_the_migration_counts_older_runs_as_a_run_does(two_counties):
    score_month(two_counties, SEPTEMBER, [10, 20, 30, None])
    score_month(two_counties, OCTOBER, [30, None, 20, 10])
    stored = set(RunGradeCount.objects.values_list("run_id", "county_id", "grade", "stations"))
    RunGradeCount.objects.all().delete()
    with connection.schema_editor() as editor:
        backfill(apps, editor)
    assert set(RunGradeCount.objects.values_list("run_id", "county_id", "grade", "stations")) == (
        stored
    )


def test_a_run_without_stored_counts_is_counted_from_its_rows(two_counties):
    score_month(two_counties, SEPTEMBER, [10, 20, 30, None])
    run = ScoreRun.objects.get(is_current=True)
    stored = run_grade_counts([run.pk], two_counties[0].county_id)
    RunGradeCount.objects.all().delete()
    assert run_grade_counts([run.pk], two_counties[0].county_id) == stored


def test_current_grade_counts_are_by_month_oldest_first(two_counties):
    score_month(two_counties, SEPTEMBER, [10, 20, 30, None])
    score_month(two_counties, OCTOBER, [30, None, 20, 10])
    months = current_grade_counts(two_counties[0].county.company_id)
    assert list(months) == [SEPTEMBER, OCTOBER]
    assert all(sum(counts.values()) == 4 for counts in months.values())
