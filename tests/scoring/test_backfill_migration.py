"""The migration that fills indicator grades and medians of older runs gives what a run gives."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from scoring.models import ScoreRun, StationScore
from tests.mapviews.months import SEPTEMBER, score_month

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("scoring.migrations.0002_run_summary_indicator_grades").backfill


def test_backfill_reproduces_what_the_run_stored(three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, None])
    run = ScoreRun.objects.get(is_current=True)
    stored_summary = run.summary
    stored_grades = dict(StationScore.objects.values_list("station__code", "indicator_grades"))
    assert stored_grades["S1"]["safety"] == "green"  # N = 2: cut-offs 0, 1, 1, 2, 2

    ScoreRun.objects.update(summary={})
    StationScore.objects.update(indicator_grades={})
    backfill(apps, None)

    run.refresh_from_db()
    assert run.summary == stored_summary
    assert dict(StationScore.objects.values_list("station__code", "indicator_grades")) == (
        stored_grades
    )
