"""The migration making absolute scoring the default re-grades nothing: months graded as
a league table keep that method, named; companies without a method get the absolute one."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.engine import LEAGUE_TABLE, ScoringMethod
from scoring.targets import SEED_TARGETS, as_goalposts

# Real transactions: the migration executor runs outside the test's transaction; the
# seeded rows of earlier migrations are restored afterwards for the other tests.
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("scoring", "0006_run_heartbeat_and_used_previews")]
AFTER = [("scoring", "0007_absolute_default")]
OLD_PARAMS = {"name": "minmax_quota", "version": 1, "quotas_pct": [20, 20, 20, 20, 20]}


@pytest.fixture
def at_0006():
    """The database at 0006; migrated to the latest again afterwards."""
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_league_table_months_keep_their_method_and_new_companies_get_absolute(at_0006):
    apps = at_0006
    Company = apps.get_model("stations", "Company")
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    MethodVersion = apps.get_model("scoring", "MethodVersion")
    graded, later, untouched = (Company.objects.create(name=n) for n in ("甲", "乙", "丙"))
    old = ScoreRun.objects.create(
        company=graded, period=date(2026, 9, 1), status="done", method_params=OLD_PARAMS
    )
    # 乙 chose a method from 2026-10 on; its September was graded by the old default.
    chosen = MethodVersion.objects.create(
        company=later,
        version=1,
        effective_from=date(2026, 10, 1),
        params={**LEAGUE_TABLE.as_record(), "grading": "natural_breaks"},
        reason="natural breaks",
    )
    september = ScoreRun.objects.create(
        company=later, period=date(2026, 9, 1), status="done", method_params=OLD_PARAMS
    )
    october = ScoreRun.objects.create(
        company=later, period=date(2026, 10, 1), status="done", method_version=chosen
    )

    apps = migrate(AFTER)
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    MethodVersion = apps.get_model("scoring", "MethodVersion")

    [recorded] = MethodVersion.objects.filter(company_id=graded.pk)
    assert (recorded.version, recorded.effective_from) == (1, date(2000, 1, 1))
    assert ScoringMethod.from_record(recorded.params) == LEAGUE_TABLE
    assert "league table" in recorded.reason
    old = ScoreRun.objects.get(pk=old.pk)
    assert old.method_version_id == recorded.pk
    assert old.method_params == OLD_PARAMS  # as stored

    # 乙: the old default for the months before its own version, which keeps October.
    earlier = MethodVersion.objects.get(company_id=later.pk, version=2)
    assert earlier.effective_from == date(2000, 1, 1)
    assert ScoringMethod.from_record(earlier.params) == LEAGUE_TABLE
    assert ScoreRun.objects.get(pk=september.pk).method_version_id == earlier.pk
    assert ScoreRun.objects.get(pk=october.pk).method_version_id == chosen.pk

    # 丙 was never graded: version 1, absolute against the seeded targets.
    [fresh] = MethodVersion.objects.filter(company_id=untouched.pk)
    assert (fresh.version, fresh.effective_from) == (1, date(2000, 1, 1))
    assert ScoringMethod.from_record(fresh.params) == ScoringMethod(
        goalposts=as_goalposts(SEED_TARGETS)
    )
    assert ScoreRun.objects.count() == 3  # nothing created or recomputed

    # Reversed: only what the migration made is gone, the runs as they were.
    apps = migrate(BEFORE)
    MethodVersion = apps.get_model("scoring", "MethodVersion")
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    assert list(MethodVersion.objects.values_list("pk", flat=True)) == [chosen.pk]
    assert ScoreRun.objects.get(pk=old.pk).method_version_id is None
    assert ScoreRun.objects.get(pk=september.pk).method_version_id is None
