"""Weight sensitivity stored with a month and shown on its map."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from indicators.jobs import submit_import
from indicators.models import Indicator
from scoring.models import RunStatus, ScoreRun, SensitivityRun
from scoring.selectors import latest_sensitivity
from scoring.services import create_weight_set, publish_run, run_sensitivity
from tests.builders import run_month
from tests.factories import user_with_role
from tests.mapviews.months import SEPTEMBER, score_month


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
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    assert run.sensitivity_runs.count() == 1  # stored by the run itself
    call_command("sensitivity", "--period=2026-09", "--draws=20")
    assert run.sensitivity_runs.count() == 2
    assert latest_sensitivity(run).params["draws"] == 20
    with translation.override("en"):
        with pytest.raises(CommandError, match="has not been scored"):
            call_command("sensitivity", "--period=2025-01")
        with pytest.raises(CommandError, match="spread of 0–99"):
            call_command("sensitivity", "--period=2026-09", "--spread=150")


# --- Every run that writes scores stores its "?" marks (issue 15) ------------------


def tied_by_weights(stations) -> dict:
    """S2 best on every other indicator, S3 on the others, S1 worst everywhere: at equal
    weights S2 and S3 tie for red, so which of them is red depends on the weights."""
    values: dict = {station: {} for station in stations}
    for index, indicator in enumerate(Indicator.objects.order_by("code")):
        best, worst = (10.0, 0.0) if indicator.higher_is_better else (0.0, 10.0)
        values[stations[0]][indicator.code] = worst
        values[stations[1]][indicator.code] = best if index % 2 else worst
        values[stations[2]][indicator.code] = worst if index % 2 else best
    return values


def question_marks(client, period: str) -> list[str]:
    data = client.get(reverse("mapviews:map_month"), {"period": period}).json()
    marks = next(t for t in data["figure"]["data"] if t.get("mode") == "text")["text"]
    return [mark for mark in marks if mark.endswith("?")]


@pytest.fixture
def committee(client):
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_a_web_import_stores_the_marks_of_the_month_it_scores(
    committee, three_stations, django_capture_on_commit_callbacks
):
    rows = [
        f"{station.code},2026-09,{code},{value}"
        for station, by_code in tied_by_weights(three_stations).items()
        for code, value in by_code.items()
    ]
    upload = SimpleUploadedFile(
        "september.csv",
        "\n".join(["station_code,period,indicator_code,value", *rows]).encode(),
        content_type="text/csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_import(upload=upload, user=user_with_role("admin"), language="en")
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    found = run.sensitivity_runs.get()
    assert found.params["draws"] == 1000 and found.params["spread"] == 0.2
    assert found.uncertain_count == 2  # S2 and S3, red in about half of the draws each
    assert len(question_marks(committee, "2026-09")) == 2


@pytest.mark.django_db
def test_a_published_regrade_has_its_own_marks(
    committee, three_stations, django_capture_on_commit_callbacks
):
    company = three_stations[0].county.company
    first = score_month(
        three_stations, SEPTEMBER, [tied_by_weights(three_stations)[s] for s in three_stations]
    )
    assert first.sensitivity_runs.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        create_weight_set(
            company=company,
            weights={code: Decimal(1) for code in Indicator.objects.values_list("code", flat=True)},
            effective_from=SEPTEMBER,
            reason="equal weights, as ones",
            publish=False,
        )
    proposal = ScoreRun.objects.get(period=SEPTEMBER, is_current=False, publish=False)
    assert proposal.sensitivity_runs.count() == 1  # computed while it waits for review
    with django_capture_on_commit_callbacks(execute=True):
        publish_run(proposal.pk)
    published = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    assert published.pk == proposal.pk
    assert published.sensitivity_runs.get().uncertain_count == 2
    assert len(question_marks(committee, "2026-09")) == 2


@pytest.mark.django_db
def test_a_run_that_found_its_inputs_unchanged_shows_the_marks_of_the_run_it_matched(scored):
    first = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    again = run_month(first.company, SEPTEMBER, publish=False)
    assert again.unchanged and not again.sensitivity_runs.exists()
    assert latest_sensitivity(again) == latest_sensitivity(first) == first.sensitivity_runs.get()


@pytest.mark.django_db
def test_a_failed_sensitivity_leaves_the_run_published(three_stations, monkeypatch, caplog):
    def broken(run, **kwargs):
        raise RuntimeError("no memory left")

    monkeypatch.setattr("scoring.services.runs.run_sensitivity", broken)
    run = score_month(three_stations, SEPTEMBER, [10, 20, 30])
    assert run.status == RunStatus.DONE and run.is_current and run.graded_count == 3
    assert not SensitivityRun.objects.exists()
    assert "Weight sensitivity of score run" in caplog.text
