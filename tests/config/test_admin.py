"""The Django admin shows every model; history cannot be edited there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HISTORY = {"importbatch", "indicatorvalue", "weightset", "scorerun", "stationscore"}


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def registered():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


def test_every_model_of_ours_is_registered():
    ours = {name for app, name in registered() if app in {"stations", "indicators", "scoring"}}
    assert ours == {
        "company", "county", "station", "stationmember", "indicator",
        "importbatch", "indicatorvalue", "weightset", "scorerun", "stationscore",
    }  # fmt: skip


@pytest.mark.parametrize(("app", "model"), registered())
def test_changelist_renders(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", sorted(HISTORY))
def test_history_cannot_be_added(superuser_client, model):
    app = "indicators" if model in {"importbatch", "indicatorvalue"} else "scoring"
    response = superuser_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code == 403
