"""Weight sensitivity stored with a month and shown on its map."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from scoring.models import ScoreRun, SensitivityRun
from scoring.services import run_sensitivity
from tests.mapviews.months import SEPTEMBER


@pytest.fixture
def viewer(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_a_sensitivity_run_records_its_parameters_and_every_graded_station(scored):
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    # September: S1 40, S2 50, S3 60 with every indicator equal per station: any weights
    # give the same scores, so every colour is certain.
    found = run_sensitivity(run, spread=0.3, draws=50, seed=4)
    assert found.params["spread"] == 0.3 and found.params["draws"] == 50
    assert found.params["seed"] == 4 and found.params["method"]["grading"] == "quotas"
    assert found.uncertain_count == 0
    s1 = str(scored[0].pk)
    assert found.results[s1] == {"shares": {"yellow": 1.0}, "rank": [3, 3]}
    assert set(found.results) == {str(station.pk) for station in scored}


@pytest.mark.django_db
def test_the_map_marks_a_station_whose_colour_is_uncertain(viewer, scored):
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    SensitivityRun.objects.create(
        run=run,
        params={"spread": 0.2, "draws": 1000},
        uncertain_count=1,
        compute_ms=1,
        results={
            str(scored[0].pk): {"shares": {"yellow": 0.55, "blue": 0.45}, "rank": [2, 3]},
            str(scored[1].pk): {"shares": {"blue": 0.9, "red": 0.1}, "rank": [1, 2]},
        },
    )
    data = viewer.get(reverse("mapviews:map_month"), {"period": "2026-09"}).json()
    rows = {
        row[0]: row
        for trace in data["figure"]["data"]
        if trace.get("type") == "choropleth"
        for row in zip(trace["locations"], trace["customdata"], strict=True)
    }
    s1_label = rows[scored[0].code][1][4]
    assert s1_label.endswith("colour uncertain under other weights: Yellow 55%, Blue 45%")
    assert "uncertain" not in rows[scored[1].code][1][4]  # blue in 90 % of draws
    marks = next(t for t in data["figure"]["data"] if t.get("mode") == "text")["text"]
    assert "Lg?" in marks and "Av?" not in marks
    assert data["uncertain_note"].startswith("“?” after a grade: 1 station could have another")
    assert "±20 %, 1000 draws" in data["uncertain_note"]
    assert "fewer than 80 %" in data["uncertain_note"]
    page = viewer.get(reverse("mapviews:map"), {"period": "2026-09"})
    assert data["uncertain_note"] in page.content.decode()


@pytest.mark.django_db
def test_the_map_explains_no_question_mark_when_every_colour_is_certain(viewer, scored):
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    SensitivityRun.objects.create(
        run=run,
        params={"spread": 0.2, "draws": 1000},
        uncertain_count=0,
        compute_ms=1,
        results={str(scored[1].pk): {"shares": {"blue": 1.0}, "rank": [2, 2]}},
    )
    data = viewer.get(reverse("mapviews:map_month"), {"period": "2026-09"}).json()
    assert data["uncertain_note"] == ""


@pytest.mark.django_db
def test_the_sensitivity_command_needs_a_scored_month(scored, capsys):
    call_command("sensitivity", "--period=2026-09", "--draws=20")
    assert SensitivityRun.objects.count() == 1
    with translation.override("en"):
        with pytest.raises(CommandError, match="has not been scored"):
            call_command("sensitivity", "--period=2025-01")
        with pytest.raises(CommandError, match="spread of 0–99"):
            call_command("sensitivity", "--period=2026-09", "--spread=150")
