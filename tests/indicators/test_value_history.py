"""Re-importing keeps the replaced values; an import is rolled back as a batch (service and
page), its months recomputed and the rollback audited; a superseded import is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from indicators.models import ImportBatch, ImportSource, ImportStatus, IndicatorValue, ValueHistory
from indicators.rollback import RollbackRefused, rollback_import
from indicators.services import import_indicator_file
from scoring.models import RunStatus, RunTrigger, ScoreRun
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.indicators.conftest import user_with

pytestmark = pytest.mark.django_db

HEADER = "station_code,period,indicator_code,value\n"
MAY = date(2026, 5, 1)
JUNE = date(2026, 6, 1)


@pytest.fixture
def load(three_stations, write_file):
    def load(name: str, rows: str, user=None) -> ImportBatch:
        path = write_file(name, HEADER + rows)
        with translation.override("en"):
            result = import_indicator_file(
                path, source=ImportSource.COMMAND_LINE, user=user, today=TODAY
            )
        return result.batch

    return load


def stored() -> set[tuple]:
    return set(
        IndicatorValue.objects.values_list(
            "station__code", "period", "indicator__code", "value", "batch__file_name"
        )
    )


def history() -> set[tuple]:
    return set(
        ValueHistory.objects.values_list(
            "station__code", "period", "indicator__code", "value", "batch__file_name",
            "replaced_by__file_name",
        )
    )  # fmt: skip


def refusal(batch: ImportBatch) -> str:
    with translation.override("en"), pytest.raises(RollbackRefused) as caught:
        rollback_import(batch=batch)
    return str(caught.value)


def test_a_reimport_keeps_the_replaced_values_with_their_batches(load):
    load("a.csv", "S1,2026-05,safety,90\nS2,2026-05,safety,80\n")
    load("b.csv", "S1,2026-05,safety,70\nS3,2026-05,safety,60\n")
    assert stored() == {
        ("S1", MAY, "safety", 70.0, "b.csv"),
        ("S2", MAY, "safety", 80.0, "a.csv"),
        ("S3", MAY, "safety", 60.0, "b.csv"),
    }
    assert history() == {("S1", MAY, "safety", 90.0, "a.csv", "b.csv")}


def test_a_rollback_restores_replaced_values_deletes_new_ones_and_recomputes(
    load, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the imports' runs finish
        load("a.csv", "S1,2026-05,safety,90\nS2,2026-05,safety,80\n")
        before = stored()
        b = load("b.csv", "S1,2026-05,safety,70\nS3,2026-05,safety,60\nS3,2026-06,safety,1\n")
    done = set(ScoreRun.objects.values_list("pk", flat=True))
    admin = UserFactory(username="boss")
    with django_capture_on_commit_callbacks(execute=True):
        runs = rollback_import(batch=b, user=admin, reason="wrong month sent")
    assert stored() == before
    assert history() == set()
    assert [run.period for run in runs] == [MAY, JUNE]
    assert not done & {run.pk for run in runs}  # new runs, not the imports'
    for run in runs:
        run.refresh_from_db()
        assert (run.trigger, run.status) == (RunTrigger.IMPORT, RunStatus.DONE)
    b.refresh_from_db()
    assert (b.rolled_back_by, b.rollback_reason) == (admin, "wrong month sent")
    assert b.rolled_back_at is not None
    [entry] = AuditEntry.objects.filter(action=Action.IMPORT_ROLLED_BACK)
    assert (entry.actor_name, entry.target_id) == ("boss", str(b.pk))
    assert entry.reason == "wrong month sent"
    assert entry.after["periods"] == ["2026-05", "2026-06"]


def test_imports_roll_back_one_after_the_other_latest_first(load):
    a = load("a.csv", "S1,2026-05,safety,90\n")
    b = load("b.csv", "S1,2026-05,safety,70\n")
    c = load("c.csv", "S1,2026-05,safety,50\nS2,2026-05,safety,50\n")
    rollback_import(batch=c)
    assert stored() == {("S1", MAY, "safety", 70.0, "b.csv")}
    rollback_import(batch=b)
    assert stored() == {("S1", MAY, "safety", 90.0, "a.csv")}
    rollback_import(batch=a)
    assert stored() == set()
    assert history() == set()


def test_a_superseded_import_is_refused_naming_the_later_one(load):
    a = load("a.csv", "S1,2026-05,safety,90\nS2,2026-05,safety,80\n")
    b = load("b.csv", "S1,2026-05,safety,70\n")
    before, kept = stored(), history()
    assert refusal(a) == (
        f"a.csv cannot be rolled back: 1 of its values were replaced since by later imports "
        f"(b.csv (#{b.pk})). Roll those back first."
    )
    assert (stored(), history()) == (before, kept)
    a.refresh_from_db()
    assert a.rolled_back_at is None
    assert not AuditEntry.objects.filter(action=Action.IMPORT_ROLLED_BACK).exists()


def test_a_rollback_twice_and_a_failed_import_are_refused(load):
    b = load("b.csv", "S1,2026-05,safety,70\n")
    rollback_import(batch=b)
    assert refusal(b).startswith("b.csv was already rolled back on ")
    failed = ImportBatch.objects.create(
        file_name="bad.csv", source=ImportSource.WEB, status=ImportStatus.FAILED
    )
    assert refusal(failed) == "Only a loaded import can be rolled back; bad.csv was not loaded."


def test_the_rollback_page_confirms_then_rolls_back(load, client):
    load("a.csv", "S1,2026-05,safety,90\n")
    b = load("b.csv", "S1,2026-05,safety,70\nS2,2026-05,safety,60\n")
    admin = user_with("add_importbatch", "rollback_importbatch")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    job = client.get(reverse("imports:job", args=[b.pk])).content.decode()
    assert "Roll back this import" in job
    page = client.get(reverse("imports:rollback", args=[b.pk])).content.decode()
    assert "1 value it replaced is put back as it was before." in page
    assert "1 value it added is deleted." in page
    assert stored() != {("S1", MAY, "safety", 90.0, "a.csv")}
    response = client.post(reverse("imports:rollback", args=[b.pk]), {"reason": "typo"})
    assert response.status_code == 302
    assert stored() == {("S1", MAY, "safety", 90.0, "a.csv")}
    job = client.get(response["Location"]).content.decode()
    assert "b.csv was rolled back; 2026-05 are being scored again." in job
    assert "Roll back this import" not in job


def test_the_rollback_page_shows_a_refusal_and_changes_nothing(load, client):
    a = load("a.csv", "S1,2026-05,safety,90\n")
    load("b.csv", "S1,2026-05,safety,70\n")
    client.force_login(user_with("add_importbatch", "rollback_importbatch"))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:rollback", args=[a.pk])).content.decode()
    assert "Roll those back first." in page
    assert "Roll it back" not in page
    response = client.post(reverse("imports:rollback", args=[a.pk]), {"reason": "x"}, follow=True)
    assert "Roll those back first." in response.content.decode()
    assert ("S1", MAY, "safety", 70.0, "b.csv") in stored()


def test_without_the_permission_there_is_no_rollback(load, client):
    b = load("b.csv", "S1,2026-05,safety,70\n")
    client.force_login(user_with("add_importbatch"))
    job = client.get(reverse("imports:job", args=[b.pk])).content.decode()
    assert reverse("imports:rollback", args=[b.pk]) not in job
    assert client.post(reverse("imports:rollback", args=[b.pk]), {"reason": "x"}).status_code == 403
    assert IndicatorValue.objects.count() == 1
