"""Indicator data uploaded by an administrator in the browser: stored, then checked and
loaded all or nothing by a background job whose page shows how it went."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from indicators.models import ImportBatch, ImportSource, ImportStatus, IndicatorValue
from scoring.models import ScoreRun
from stations.models import Station
from tests.factories import user_with_role

HEADER = "station_code,period,indicator_code,value\n"
GOOD = HEADER + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS3,2026-05,safety,70\n"
URL = reverse("imports:upload")


@pytest.fixture
def admin_client(client, three_stations):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


def csv_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, name: str, text: str, capture):
    """Upload as the embedded default does (the job runs when the request's transaction
    commits), then open the page the upload leads to."""
    with capture(execute=True):
        response = client.post(URL, {"file": csv_file(name, text)})
    assert response.status_code == 302
    return client.get(response["Location"])


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_the_upload_answers_at_once_with_the_queued_job_which_the_worker_loads_later(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(URL, {"file": csv_file("may.csv", GOOD)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[batch.pk])
    assert (batch.status, batch.source, batch.file_name) == ("queued", "web", "may.csv")
    assert IndicatorValue.objects.count() == 0, "nothing is loaded inside the request"
    assert batch.upload.name and Path(batch.upload.path).is_file()

    page = admin_client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Waiting for a worker." in text
    assert '<meta http-equiv="refresh" content="3">' in text
    assert "<script>" not in text and " style=" not in text

    for callback in callbacks:  # what the worker does when it gets the task
        callback()
    batch.refresh_from_db()
    assert (batch.status, batch.value_count, batch.upload.name) == ("done", 3, "")
    finished = admin_client.get(response["Location"]).content.decode()
    assert "Loaded 3 values of may.csv for 2026-05" in finished
    assert 'http-equiv="refresh"' not in finished


@pytest.mark.django_db
def test_a_good_file_is_loaded_scored_and_recorded(
    admin_client, django_capture_on_commit_callbacks
):
    page = upload(admin_client, "may.csv", GOOD, django_capture_on_commit_callbacks)
    assert "Loaded 3 values of may.csv for 2026-05" in page.content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.file_name, batch.value_count) == (ImportSource.WEB, "may.csv", 3)
    assert batch.status == ImportStatus.DONE and batch.company is not None
    assert batch.created_by == page.wsgi_request.user
    assert ScoreRun.objects.get(period__year=2026, period__month=5).status == "done"
    assert AuditEntry.objects.filter(action="import.loaded", actor=batch.created_by).count() == 1
    assert stored_files() == [], "the stored upload is deleted once the job is done"


@pytest.mark.django_db
def test_a_bad_file_writes_nothing_and_its_job_names_each_line(
    admin_client, django_capture_on_commit_callbacks
):
    text = HEADER + "S1,2026-05,safety,90\nS9,2026-05,safety,80\nS2,2026-13,safety,x\n"
    response = upload(admin_client, "bad.csv", text, django_capture_on_commit_callbacks)
    page = response.content.decode()
    batch = ImportBatch.objects.get()
    assert response.wsgi_request.path == reverse("imports:job", args=[batch.pk])
    assert "bad.csv was not loaded: 3 problems" in page and "Nothing was written" in page
    assert "line 3" in page and "line 4" in page
    assert batch.status == ImportStatus.FAILED and batch.defect_count == 3
    assert IndicatorValue.objects.count() == 0 and ScoreRun.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import.loaded").exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_only_csv_or_xlsx_files_are_taken(admin_client):
    response = admin_client.post(URL, {"file": csv_file("notes.txt", "hello")})
    assert response.status_code == 400
    assert "notes.txt is not a .csv or .xlsx file." in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_the_imports_page_lists_jobs_with_their_state_and_a_link(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "may.csv", GOOD, django_capture_on_commit_callbacks)
    upload(
        admin_client,
        "bad.csv",
        HEADER + "S9,2026-05,safety,1\n",
        django_capture_on_commit_callbacks,
    )
    page = admin_client.get(URL).content.decode()
    for batch in ImportBatch.objects.all():
        assert reverse("imports:job", args=[batch.pk]) in page
    assert "loaded" in page and "not loaded" in page


@pytest.mark.django_db
def test_the_job_page_needs_the_upload_permission_and_an_existing_job(client, three_stations):
    client.force_login(user_with_role("party_committee"))
    assert client.get(reverse("imports:job", args=[1])).status_code == 403
    client.force_login(user_with_role("admin"))
    for unknown in (999999, 10**30):
        assert client.get(reverse("imports:job", args=[unknown])).status_code == 404


@pytest.mark.django_db
def test_the_same_file_again_is_recognised_and_loaded_only_when_asked(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "may.csv", GOOD, django_capture_on_commit_callbacks)
    first = ImportBatch.objects.get()

    again = admin_client.post(URL, {"file": csv_file("may-copy.csv", GOOD)})
    text = again.content.decode()
    assert again.status_code == 400
    assert "This file was already loaded on" in text and f"(import {first.pk}, 3 values)" in text
    assert 'name="again"' in text
    assert ImportBatch.objects.count() == 1, "no second batch without the admin's yes"

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(URL, {"file": csv_file("may-copy.csv", GOOD), "again": "on"})
    assert confirmed.status_code == 302
    assert ImportBatch.objects.count() == 2

    other = GOOD.replace("80", "81") if "80" in GOOD else GOOD + "\n"
    assert admin_client.post(URL, {"file": csv_file("june.csv", other)}).status_code == 302


@pytest.mark.django_db
def test_a_rolled_back_file_may_be_loaded_again_without_asking(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "may.csv", GOOD, django_capture_on_commit_callbacks)
    ImportBatch.objects.update(rolled_back_at="2026-06-01T00:00:00Z")
    assert admin_client.post(URL, {"file": csv_file("may.csv", GOOD)}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_filled_in_template_loads(
    admin_client, django_capture_on_commit_callbacks, layout, file_format, three_stations, tmp_path
):
    from indicators.services import check_indicator_file
    from tests.conftest import TODAY

    response = admin_client.get(reverse("imports:template", args=[layout, file_format]))
    assert response.status_code == 200
    assert f"indicators-{layout}-" in response["Content-Disposition"]
    path = tmp_path / f"template.{file_format}"
    path.write_bytes(response.content)
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        lines = text.splitlines()
        if layout == "wide":
            assert lines[0].startswith("station_code,period,Work safety index（safety）")
            assert [line.split(",")[0] for line in lines[1:]] == ["S1", "S2", "S3"]
            filled = [lines[0]] + [line.replace(",,", ",50,", 1) for line in lines[1:]]
        else:
            assert lines[0] == "station_code,period,indicator_code,value"
            filled = [lines[0], lines[1] + "50"]
        path.write_text("\n".join(filled) + "\n", encoding="utf-8")
        parsed = check_indicator_file(path, display_name=path.name, today=TODAY.replace(year=2030))
        assert {r.value for r in parsed.records} == {50.0}
    else:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        values, reference = book.worksheets
        header = next(values.iter_rows(values_only=True))
        assert header[:2] == ("station_code", "period")
        codes = [row[0] for row in reference.iter_rows(min_row=2, values_only=True)]
        assert "safety" in codes and "team_performance" in codes


@pytest.mark.django_db
def test_the_page_explains_the_format_and_offers_the_templates(admin_client):
    text = admin_client.get(URL).content.decode()
    assert "docs/data-formats.md" not in text
    for layout in ("long", "wide"):
        for file_format in ("csv", "xlsx"):
            assert reverse("imports:template", args=[layout, file_format]) in text
    assert "<code>safety</code>" in text and "0 – 100" in text
    assert admin_client.get(URL + "template/tall.csv").status_code == 404


def full_month(scores: dict[str, float]) -> str:
    """Every active indicator for each station, at the station's score (0–100)."""
    from indicators.models import Indicator

    lines = [HEADER.strip()]
    for indicator in Indicator.objects.filter(active=True):
        for code, score in scores.items():
            value = score if indicator.higher_is_better else 100 - score
            lines.append(f"{code},2026-05,{indicator.code},{value}")
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_the_job_page_says_what_the_import_changed(
    admin_client, django_capture_on_commit_callbacks
):
    first = upload(
        admin_client,
        "may.csv",
        full_month({"S1": 90, "S2": 80, "S3": 70}),
        django_capture_on_commit_callbacks,
    )
    text = first.content.decode()
    assert "Values: 30 added, 0 changed, 0 given again unchanged." in text
    assert "3 stations graded for the first time" in text
    # The month's link opens the map of the import's own company (a viewer of several
    # companies would otherwise see the one chosen last).
    company_id = ImportBatch.objects.get().company_id
    assert f'<a href="/?company={company_id}&amp;period=2026-05">2026-05</a>' in text
    before = dict(
        ScoreRun.objects.get(is_current=True).scores.values_list("station__code", "grade")
    )

    # S3 overtakes S1 and S2 on every indicator.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            URL, {"file": csv_file("may-2.csv", full_month({"S1": 90, "S2": 80, "S3": 99}))}
        )
    text = admin_client.get(response["Location"]).content.decode()
    assert "Values: 0 added, 10 changed, 20 given again unchanged." in text
    after = dict(ScoreRun.objects.get(is_current=True).scores.values_list("station__code", "grade"))
    moved = sum(before[code] != after[code] for code in before)
    assert moved >= 1
    assert (
        f"{moved} stations changed colour (" in text or f"{moved} station changed colour (" in text
    )
    assert "what it changed is below" in text and "being recomputed" not in text
    # The stations that moved are named, each with its colour before and after.
    for code in (code for code in before if before[code] != after[code]):
        station = Station.objects.get(code=code)
        assert f'<a href="/stations/{code}/?period=2026-05">{station.name}</a>' in text
    assert "wait as a re-grade" not in text  # the month was not published: shown at once
    # The first import's page still tells its own story, not the second's.
    first_batch = ImportBatch.objects.order_by("pk").first()
    first_page = admin_client.get(reverse("imports:job", args=[first_batch.pk])).content.decode()
    assert "3 stations graded for the first time" in first_page
    assert "wait as a re-grade" not in first_page
