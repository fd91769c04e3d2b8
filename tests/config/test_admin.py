"""The Django admin shows every model; history cannot be edited there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HISTORY = {
    ("indicators", "importbatch"), ("indicators", "indicatorvalue"), ("scoring", "weightset"),
    ("scoring", "methodversion"), ("scoring", "scorerun"), ("scoring", "stationscore"),
    ("scoring", "sensitivityrun"), ("audit", "auditentry"), ("scoring", "monthclose"),
    ("scoring", "objection"),
}  # fmt: skip


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def registered():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


def test_every_model_of_ours_is_registered():
    apps = {"stations", "indicators", "scoring", "audit"}
    ours = {name for app, name in registered() if app in apps}
    assert ours == {
        "company", "county", "station", "stationmember", "indicator",
        "importbatch", "indicatorvalue", "weightset", "scorerun", "stationscore",
        "countyboundary", "servicearea", "methodversion", "sensitivityrun", "auditentry",
        "monthclose", "objection", "methodoverride", "orgunit", "orgmember",
    }  # fmt: skip


@pytest.mark.parametrize(("app", "model"), registered())
def test_changelist_renders(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("app", "model"), sorted(HISTORY))
def test_history_cannot_be_added(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code == 403


def test_history_cannot_be_deleted(superuser_client):
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    run = company.score_runs.create(period="2026-09-01", trigger="manual")
    response = superuser_client.get(reverse("admin:scoring_scorerun_delete", args=[run.pk]))
    assert response.status_code == 403


def test_only_an_unused_weight_version_can_be_deleted(superuser_client):
    from scoring.models import WeightSet
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    used = WeightSet.objects.get(company=company)
    company.score_runs.create(period="2026-09-01", trigger="manual", weight_set=used)
    typo = WeightSet.objects.create(company=company, version=2, effective_from="2030-01-01")
    url = "admin:scoring_weightset_delete"
    assert superuser_client.get(reverse(url, args=[used.pk])).status_code == 403
    assert superuser_client.post(reverse(url, args=[typo.pk]), {"post": "yes"}).status_code == 302
    assert not WeightSet.objects.filter(pk=typo.pk).exists()


def test_admin_lists_months_not_days(superuser_client):
    from tests.factories import CompanyFactory

    CompanyFactory().score_runs.create(period="2026-09-01", trigger="manual")
    response = superuser_client.get(reverse("admin:scoring_scorerun_changelist"))
    assert "2026-09" in response.content.decode()


def test_a_company_added_in_the_admin_gets_initial_weights(superuser_client):
    from scoring.models import WeightSet
    from stations.models import Company

    response = superuser_client.post(reverse("admin:stations_company_add"), {"name": "新公司"})
    assert response.status_code == 302
    weights = WeightSet.objects.get(company=Company.objects.get(name="新公司"))
    assert weights.version == 1
    assert sum(w.weight for w in weights.weights.all()) == 100


def test_indicator_scoring_fields_are_not_editable(superuser_client):
    from indicators.models import Indicator

    safety = Indicator.objects.get(code="safety")
    response = superuser_client.get(reverse("admin:indicators_indicator_change", args=[safety.pk]))
    form = response.context["adminform"].form
    assert "direction" not in form.fields and "active" not in form.fields
    assert "name_zh" in form.fields
