"""audit 0011 keeps, on the entries made before, where their actor is placed now (the
rule until then): a membership's company or unit, else the station's company; nothing for
superusers and people placed nowhere."""

from __future__ import annotations

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def at_0010():
    apps = migrate([("audit", "0010_entry_unit")])
    yield apps
    migrate_to_latest()


def test_earlier_entries_keep_their_actors_place_of_now(at_0010):
    apps = at_0010
    User = apps.get_model("auth", "User")
    Company = apps.get_model("stations", "Company")
    County = apps.get_model("stations", "County")
    Station = apps.get_model("stations", "Station")
    OrgUnit = apps.get_model("stations", "OrgUnit")
    OrgMember = apps.get_model("stations", "OrgMember")
    StationMember = apps.get_model("stations", "StationMember")
    Entry = apps.get_model("audit", "AuditEntry")
    ningbo = Company.objects.create(name="宁波")
    province = OrgUnit.objects.create(code="ZJ", name="浙江")
    station = Station.objects.create(
        code="S1", name="一所", county=County.objects.create(company=ningbo, name="鄞州"),
        latitude=29.8, longitude=121.5,
    )  # fmt: skip
    people = {name: User.objects.create(username=name) for name in ("city", "prov", "staff")}
    people["root"] = User.objects.create(username="root", is_superuser=True)
    people["nowhere"] = User.objects.create(username="nowhere")
    OrgMember.objects.create(user=people["city"], company=ningbo)
    OrgMember.objects.create(user=people["prov"], unit=province)
    StationMember.objects.create(user=people["staff"], station=station)
    made = {
        name: Entry.objects.create(
            actor=user, action="user.changed", target_type="auth.user", target_repr=name
        ).pk
        for name, user in people.items()
    }

    migrate_to_latest()

    from audit.models import AuditEntry

    places = {
        pk: (company, unit)
        for pk, company, unit in AuditEntry.objects.values_list(
            "pk", "actor_company_id", "actor_unit_id"
        )
    }
    assert {name: places[pk] for name, pk in made.items()} == {
        "city": (ningbo.pk, None),
        "prov": (None, province.pk),
        "staff": (ningbo.pk, None),
        "root": (None, None),
        "nowhere": (None, None),
    }
