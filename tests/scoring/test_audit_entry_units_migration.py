"""scoring 0013 names the unit of the audit entries made before about a unit's common
version: from the version, or, for a version deleted since, from the unit name its values
hold when exactly one unit has it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("scoring", "0012_unit_methods"), ("audit", "0010_entry_unit")]


@pytest.fixture
def at_0012():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_entries_about_unit_versions_name_their_unit(at_0012):
    apps = at_0012
    OrgUnit = apps.get_model("stations", "OrgUnit")
    WeightSet = apps.get_model("scoring", "WeightSet")
    Entry = apps.get_model("audit", "AuditEntry")
    zhejiang = OrgUnit.objects.create(code="ZJ", name="浙江")
    OrgUnit.objects.create(code="A1", name="同名")
    OrgUnit.objects.create(code="A2", name="同名")
    kept = WeightSet.objects.create(unit=zhejiang, version=1, effective_from=date(2026, 1, 1))

    def entry(target_id: str, values: dict):
        return Entry.objects.create(
            action="weights.created", target_type="scoring.weightset", target_id=target_id,
            target_repr="v", after=values,
        ).pk  # fmt: skip

    live = entry(str(kept.pk), {"unit": "浙江"})
    gone = entry("99999", {"unit": "浙江"})
    ambiguous = entry("99998", {"unit": "同名"})
    odd = entry("²", {"unit": "无此单位"})

    migrate_to_latest()

    from audit.models import AuditEntry

    units = dict(AuditEntry.objects.values_list("pk", "unit_id"))
    assert [units[pk] for pk in (live, gone, ambiguous, odd)] == [
        zhejiang.pk,
        zhejiang.pk,
        None,
        None,
    ]
