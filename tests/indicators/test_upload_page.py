"""Indicator data uploaded by an administrator in the browser: all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from indicators.models import ImportBatch, ImportSource, IndicatorValue
from scoring.models import ScoreRun
from tests.factories import user_with_role

HEADER = "station_code,period,indicator_code,value\n"
URL = reverse("imports:upload")


@pytest.fixture
def admin_client(client, three_stations):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


def upload(client, name: str, text: str, capture=None):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    if capture is None:
        return client.post(URL, {"file": file}, follow=True)
    with capture(execute=True):
        return client.post(URL, {"file": file}, follow=True)


@pytest.mark.django_db
def test_a_good_file_is_loaded_scored_and_recorded(
    admin_client, django_capture_on_commit_callbacks
):
    text = HEADER + "S1,2026-05,safety,90\nS2,2026-05,safety,80\nS3,2026-05,safety,70\n"
    page = upload(admin_client, "may.csv", text, django_capture_on_commit_callbacks)
    assert "Loaded 3 values of may.csv for 2026-05" in page.content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.file_name, batch.value_count) == (ImportSource.WEB, "may.csv", 3)
    assert batch.created_by == page.wsgi_request.user
    assert ScoreRun.objects.get(period__year=2026, period__month=5).status == "done"
    assert AuditEntry.objects.filter(action="import.loaded", actor=batch.created_by).count() == 1


@pytest.mark.django_db
def test_a_bad_file_writes_nothing_and_names_each_line(admin_client):
    text = HEADER + "S1,2026-05,safety,90\nS9,2026-05,safety,80\nS2,2026-13,safety,x\n"
    response = upload(admin_client, "bad.csv", text)
    page = response.content.decode()
    assert response.status_code == 400
    assert "bad.csv was not loaded" in page and "Nothing was written" in page
    assert "line 3" in page and "line 4" in page
    assert IndicatorValue.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_only_csv_or_xlsx_files_are_taken(admin_client):
    response = upload(admin_client, "notes.txt", "hello")
    assert "notes.txt is not a .csv or .xlsx file." in response.content.decode()
    assert ImportBatch.objects.count() == 0
