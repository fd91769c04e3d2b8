"""The migration that lets a unit own versions changes no existing row: every weight and
method version stays its company's, and the same versions grade the same months."""

from __future__ import annotations

from datetime import date

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("scoring", "0011_month_close"), ("stations", "0006_org_tree")]


@pytest.fixture
def at_0011():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_existing_versions_stay_their_companys_and_keep_grading_their_months(at_0011):
    apps = at_0011
    Company = apps.get_model("stations", "Company")
    WeightSet = apps.get_model("scoring", "WeightSet")
    MethodVersion = apps.get_model("scoring", "MethodVersion")
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    company = Company.objects.create(name="甲")
    weights = WeightSet.objects.create(company=company, version=1, effective_from=date(2000, 1, 1))
    method = MethodVersion.objects.create(
        company=company, version=1, effective_from=date(2000, 1, 1), params={"name": "x"}
    )
    run = ScoreRun.objects.create(
        company=company, period=date(2026, 9, 1), trigger="manual", weight_set=weights,
        method_version=method, status="done",
    )  # fmt: skip

    migrate([("scoring", "0012_unit_methods")])
    migrate_to_latest()

    from scoring.models import MethodVersion as Method
    from scoring.models import ScoreRun as Run
    from scoring.models import WeightSet as Weights
    from scoring.selectors import effective_method, effective_weight_set

    assert list(Weights.objects.values_list("pk", "company_id", "unit_id", "version")) == [
        (weights.pk, company.pk, None, 1)
    ]
    assert list(Method.objects.values_list("pk", "company_id", "unit_id")) == [
        (method.pk, company.pk, None)
    ]
    stored = Run.objects.get(pk=run.pk)
    assert (stored.weight_set_id, stored.method_version_id) == (weights.pk, method.pk)
    assert effective_weight_set(company.pk, date(2026, 9, 1)).pk == weights.pk
    assert effective_method(company.pk, date(2026, 9, 1)).pk == method.pk
