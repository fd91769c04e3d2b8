"""The migration that fills medians and thresholds of older runs gives what a run gives."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from scoring.models import ScoreRun
from tests.mapviews.months import SEPTEMBER, score_month

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("scoring.migrations.0002_run_summary").backfill


def test_backfill_reproduces_what_the_run_stored(three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, None])
    run = ScoreRun.objects.get(is_current=True)
    stored = run.summary
    # N = 2 on each indicator: cut-offs 0, 1, 1, 2, 2.
    assert stored["indicator_thresholds"]["safety"] == [None, 100.0, 100.0, 0.0, 0.0]
    assert stored["median_score"] == 50.0

    ScoreRun.objects.update(summary={})
    backfill(apps, None)

    run.refresh_from_db()
    assert run.summary == stored
