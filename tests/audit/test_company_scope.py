"""Each audit entry belongs to the company its change is about, and a reader sees only
their companies' entries and the shared ones (indicator definitions): never another
company's, on the page, in its filter or in the Django admin. Users and units are read by
their place (test_people_and_units.py)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from audit.models import Action, AuditEntry
from audit.services import record
from indicators.models import Indicator
from stations.models import OrgUnit
from tests.factories import (
    CompanyFactory,
    CountyFactory,
    MeasureFactory,
    StationFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")
ADMIN_LIST = reverse("admin:audit_auditentry_changelist")

backfill = importlib.import_module("audit.migrations.0009_company").backfill


@pytest.fixture
def cities(db):
    """宁波 and 绍兴 below one province, a station each, an administrator each."""
    province = OrgUnit.objects.create(code="ZJ", name="浙江")
    ningbo = CompanyFactory(name="宁波供电公司")
    shaoxing = CompanyFactory(name="绍兴供电公司")
    for city in (ningbo, shaoxing):
        city.parent = province
        city.save(update_fields=["parent"])
    return {
        "province": province,
        "ningbo": ningbo,
        "shaoxing": shaoxing,
        "nb_station": StationFactory(name="宁波一所", county=CountyFactory(company=ningbo)),
        "sx_station": StationFactory(name="绍兴一所", county=CountyFactory(company=shaoxing)),
        "nb_admin": user_with_role("admin", company=ningbo, username="nb_admin", is_staff=True),
        "sx_admin": user_with_role("admin", company=shaoxing, username="sx_admin"),
    }


def _changes(cities) -> dict[str, AuditEntry]:
    """A change in each city, made by its administrator, and a change every city shares."""
    indicator = Indicator.objects.get(code="safety")
    indicator.name_en = "Safety first"
    indicator.save()
    return {
        "ningbo": record(
            Action.STATION_CHANGED, cities["nb_station"], after={"x": 1}, actor=cities["nb_admin"]
        ),
        "shaoxing": record(
            Action.STATION_CHANGED, cities["sx_station"], after={"x": 1}, actor=cities["sx_admin"]
        ),
        "shared": AuditEntry.objects.get(action=Action.INDICATOR_CHANGED),
    }


def _page(client, user, path: str = URL, **query) -> str:
    client.force_login(user)
    response = client.get(path, query)
    assert response.status_code == 200
    return response.content.decode()


# --- Which company an entry belongs to ----------------------------------------------------


def test_an_entry_belongs_to_its_targets_company(cities):
    ningbo = cities["ningbo"]
    station = cities["nb_station"]
    assert AuditEntry.objects.get(action=Action.STATION_CREATED, target_id=station.pk).company == (
        ningbo
    )
    measure = MeasureFactory(station=station)  # measure → station → county → company
    assert record(Action.STATION_CHANGED, measure).company == ningbo
    assert record(Action.COMPANY_CHANGED, cities["shaoxing"]).company == cities["shaoxing"]


def test_shared_things_and_units_belong_to_no_company(cities):
    entries = _changes(cities)
    assert entries["shared"].company is None
    assert record(Action.ORG_UNIT_CHANGED, cities["province"]).company is None
    assert record(Action.USER_CHANGED, cities["nb_admin"]).company is None


def test_a_caller_may_name_the_company(cities):
    indicator = Indicator.objects.get(code="safety")
    entry = record(Action.REMINDERS_SENT, indicator, company=cities["shaoxing"])
    assert entry.company == cities["shaoxing"]


# --- Who sees which -------------------------------------------------------------------------


def test_a_city_administrator_sees_their_city_and_the_shared_changes(client, cities):
    _changes(cities)
    page = _page(client, cities["nb_admin"])
    assert "宁波一所" in page and "Safety first" in page
    assert "绍兴一所" not in page
    # The "by" filter does not offer the other city's administrator either (the entries
    # about users are read by where the user is: tests/audit/test_people_and_units.py).
    assert '<option value="nb_admin">' in page and '<option value="sx_admin">' not in page
    assert "绍兴一所" not in _page(client, cities["nb_admin"], actor="sx_admin")


def test_the_other_citys_administrator_sees_the_mirror(client, cities):
    _changes(cities)
    page = _page(client, cities["sx_admin"])
    assert "绍兴一所" in page and "Safety first" in page
    assert "宁波一所" not in page and '<option value="nb_admin">' not in page


def test_a_province_viewer_sees_both_cities(client, cities):
    _changes(cities)
    viewer = user_with_role("admin", unit=cities["province"])
    page = _page(client, viewer)
    assert "宁波一所" in page and "绍兴一所" in page and "Safety first" in page


def test_a_superuser_sees_everything(client, cities):
    _changes(cities)
    root = user_with_role("admin", placed=False, is_superuser=True, is_staff=True)
    page = _page(client, root)
    assert "宁波一所" in page and "绍兴一所" in page and "Safety first" in page


def test_a_reader_placed_nowhere_sees_only_the_shared_changes(client, cities):
    _changes(cities)
    lost = user_with_role("admin", placed=False)
    page = _page(client, lost)
    assert "Safety first" in page
    assert "宁波一所" not in page and "绍兴一所" not in page


def test_the_admin_lists_and_opens_only_the_readers_entries(client, cities):
    entries = _changes(cities)
    page = _page(client, cities["nb_admin"], ADMIN_LIST)
    assert "宁波一所" in page and "安全生产指数" in page
    assert "绍兴一所" not in page
    client.force_login(cities["nb_admin"])
    own = reverse("admin:audit_auditentry_change", args=[entries["ningbo"].pk])
    assert "宁波一所" in client.get(own).content.decode()
    other = reverse("admin:audit_auditentry_change", args=[entries["shaoxing"].pk])
    response = client.get(other, follow=True)
    assert "绍兴一所" not in response.content.decode()
    assert response.redirect_chain  # not found: sent back to the admin's index


# --- Entries stored before entries had a company ----------------------------------------------


def test_the_migration_fills_in_the_company_of_older_entries(cities):
    measure = MeasureFactory(station=cities["sx_station"])
    indicator = Indicator.objects.get(code="safety")
    gone = StationFactory(county=cities["nb_station"].county)
    gone_id = gone.pk
    gone.delete()

    def older(target_type: str, target_id) -> AuditEntry:
        return AuditEntry.objects.create(
            action=Action.STATION_CHANGED,
            target_type=target_type,
            target_id=str(target_id),
            target_repr="older",
        )

    old = {
        "station": older("stations.station", cities["nb_station"].pk),
        "measure": older("improvement.measure", measure.pk),
        "company": older("stations.company", cities["shaoxing"].pk),
        "indicator": older("indicators.indicator", indicator.pk),
        "gone": older("stations.station", gone_id),
        "nonsense": older("stations.station", "not-a-number"),
        "no model": older("nowhere.thing", 1),
    }
    backfill(apps, None)
    found = {name: AuditEntry.objects.get(pk=entry.pk).company for name, entry in old.items()}
    assert found == {
        "station": cities["ningbo"],
        "measure": cities["shaoxing"],
        "company": cities["shaoxing"],
        "indicator": None,
        "gone": None,
        "nonsense": None,
        "no model": None,
    }
