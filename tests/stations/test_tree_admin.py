"""Administrators manage their own part of the tree in the Django admin
(``stations.scopeadmin``): 宁波's administrator its company and the people placed in it;
the province's administrator the units, companies and people below 浙江; a province
viewer changes nothing. A parent or a place outside one's part is a form error."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stations.models import Company, OrgMember, OrgUnit, StationMember
from tests.factories import (
    CompanyFactory,
    CountyFactory,
    StationFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    """浙江 (ZJ) → 宁波 (NB), 绍兴 (SX) and a region 杭州片区 (HZ); 江苏 (JS) beside it."""
    province = OrgUnit.objects.create(code="ZJ", name="浙江省电力公司")
    region = OrgUnit.objects.create(code="HZ", name="杭州片区", parent=province)
    jiangsu = OrgUnit.objects.create(code="JS", name="江苏省电力公司")
    ningbo, shaoxing = CompanyFactory(name="宁波供电公司"), CompanyFactory(name="绍兴供电公司")
    for city, code in ((ningbo, "NB"), (shaoxing, "SX")):
        city.code, city.parent = code, province
        city.save()
    nb_clerk, sx_clerk = UserFactory(username="nb_clerk"), UserFactory(username="sx_clerk")
    OrgMember.objects.create(user=nb_clerk, company=ningbo)
    OrgMember.objects.create(user=sx_clerk, company=shaoxing)
    return {
        "province": province,
        "region": region,
        "jiangsu": jiangsu,
        "ningbo": ningbo,
        "shaoxing": shaoxing,
        "nb_clerk": nb_clerk,
        "sx_clerk": sx_clerk,
        "nb_admin": user_with_role("admin", company=ningbo, username="nb_admin", is_staff=True),
        "zj_admin": user_with_role("admin", unit=province, username="zj_admin", is_staff=True),
        "zj_viewer": user_with_role(
            "party_committee", unit=province, username="zj_viewer", is_staff=True
        ),
    }


def _login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def _errors(response) -> str:
    assert response.status_code == 200, "the form is shown again"
    page = response.content.decode()
    assert "errornote" in page
    return page


def _new_user(username: str) -> dict:
    """The user add page's own fields, the inlines' aside."""
    password = "a-long-pass-2026"
    return {
        "username": username,
        "password1": password,
        "password2": password,
        "usable_password": "true",
    }


def _post_company(client, company: Company, **fields):
    data = {"name": company.name, "code": company.code or "", "parent": company.parent_id or ""}
    url = reverse("admin:stations_company_change", args=[company.pk])
    return client.post(url, data | fields)


def _post_member(client, member: OrgMember, **fields):
    data = {"user": member.user_id, "company": member.company_id or "", "unit": ""}
    url = reverse("admin:stations_orgmember_change", args=[member.pk])
    return client.post(url, data | fields)


def _post_unit(client, unit: OrgUnit | None, **fields):
    data = {"code": "", "name": "", "parent": ""}
    if unit is not None:
        data |= {"code": unit.code, "name": unit.name, "parent": unit.parent_id or ""}
    url = (
        reverse("admin:stations_orgunit_change", args=[unit.pk])
        if unit
        else reverse("admin:stations_orgunit_add")
    )
    return client.post(url, data | fields)


# --- A city's administrator -------------------------------------------------------------


def test_a_city_administrator_sees_their_citys_memberships_only(client, tree):
    _login(client, tree["nb_admin"])
    page = _page(client, "admin:stations_orgmember_changelist")
    assert "nb_clerk" in page and "sx_clerk" not in page and "绍兴" not in page
    other = tree["sx_clerk"].org_membership
    response = client.get(reverse("admin:stations_orgmember_change", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    users = _page(client, "admin:auth_user_changelist")
    assert "nb_clerk" in users and "sx_clerk" not in users and "zj_admin" not in users
    # Their own city in the companies' list, no unit (nothing hangs below a company).
    companies = _page(client, "admin:stations_company_changelist")
    assert "宁波供电公司" in companies and "绍兴供电公司" not in companies
    units = _page(client, "admin:stations_orgunit_changelist")
    assert "浙江省电力公司" not in units and "杭州片区" not in units
    assert client.get(reverse("admin:stations_orgunit_add")).status_code == 403


def test_a_city_administrator_renames_their_company_but_cannot_move_it(client, tree):
    _login(client, tree["nb_admin"])
    ningbo = tree["ningbo"]
    assert _post_company(client, ningbo, name="宁波市供电公司").status_code == 302
    ningbo.refresh_from_db()
    assert (ningbo.name, ningbo.parent) == ("宁波市供电公司", tree["province"])
    for parent in (tree["jiangsu"].pk, tree["region"].pk, ""):
        page = _errors(_post_company(client, ningbo, parent=parent))
        assert "You manage 宁波市供电公司, with no unit below it" in page
    ningbo.refresh_from_db()
    assert ningbo.parent == tree["province"]


def test_a_city_administrator_places_people_in_their_city_only(client, tree):
    _login(client, tree["nb_admin"])
    member = tree["nb_clerk"].org_membership
    _errors(_post_member(client, member, company=tree["shaoxing"].pk))
    page = _errors(_post_member(client, member, company="", unit=tree["province"].pk))
    assert "Place people only at or below 宁波供电公司" in page
    member.refresh_from_db()
    assert (member.company, member.unit) == (tree["ningbo"], None)


def test_a_new_user_is_placed_in_the_same_form(client, tree):
    _login(client, tree["nb_admin"])
    add = reverse("admin:auth_user_add")
    fields = {
        **_new_user("nb_new"),
        "station_membership-TOTAL_FORMS": "0",
        "station_membership-INITIAL_FORMS": "0",
        "org_membership-TOTAL_FORMS": "1",
        "org_membership-INITIAL_FORMS": "0",
        "org_membership-0-company": "",
        "org_membership-0-unit": "",
    }
    page = _errors(client.post(add, fields))
    assert "Place the new user below" in page
    assert not OrgMember.objects.filter(user__username="nb_new").exists()
    above = _errors(client.post(add, fields | {"org_membership-0-unit": tree["province"].pk}))
    assert "Place people only at or below 宁波供电公司" in above
    assert not OrgMember.objects.filter(user__username="nb_new").exists()
    response = client.post(add, fields | {"org_membership-0-company": tree["ningbo"].pk})
    assert response.status_code == 302
    assert OrgMember.objects.get(user__username="nb_new").company == tree["ningbo"]
    assert "nb_new" in _page(client, "admin:auth_user_changelist")


# --- The province's administrator and viewer --------------------------------------------------


def test_a_province_administrator_manages_both_cities(client, tree):
    _login(client, tree["zj_admin"])
    page = _page(client, "admin:stations_orgmember_changelist")
    assert "nb_clerk" in page and "sx_clerk" in page
    member = tree["sx_clerk"].org_membership
    assert _post_member(client, member, company=tree["ningbo"].pk).status_code == 302
    assert OrgMember.objects.get(user=tree["sx_clerk"]).company == tree["ningbo"]
    assert _post_company(client, tree["shaoxing"], parent=tree["region"].pk).status_code == 302
    assert Company.objects.get(code="SX").parent == tree["region"]
    added = _post_unit(client, None, code="NBX", name="宁波片区", parent=tree["province"].pk)
    assert added.status_code == 302
    assert OrgUnit.objects.get(code="NBX").parent == tree["province"]


def test_a_province_administrator_cannot_reach_outside_the_province(client, tree):
    _login(client, tree["zj_admin"])
    outside = "Choose a parent unit at or below 浙江省电力公司 (ZJ)"
    assert outside in _errors(_post_company(client, tree["shaoxing"], parent=tree["jiangsu"].pk))
    assert outside in _errors(_post_unit(client, tree["region"], parent=tree["jiangsu"].pk))
    assert outside in _errors(_post_unit(client, None, code="TOP", name="顶层"))
    assert Company.objects.get(code="SX").parent == tree["province"]
    assert OrgUnit.objects.get(code="HZ").parent == tree["province"]
    assert not OrgUnit.objects.filter(code="TOP").exists()
    # Their own unit is shown, not changed; 江苏 is not found.
    assert "江苏" not in _page(client, "admin:stations_orgunit_changelist")
    response = _post_unit(client, tree["province"], name="浙江")
    assert response.status_code == 403
    assert OrgUnit.objects.get(code="ZJ").name == "浙江省电力公司"
    member = tree["nb_clerk"].org_membership
    page = _errors(_post_member(client, member, company="", unit=tree["jiangsu"].pk))
    assert "Place people only at or below 浙江省电力公司 (ZJ)" in page


def test_a_province_viewer_changes_nothing(client, tree):
    _login(client, tree["zj_viewer"])
    member = tree["sx_clerk"].org_membership
    assert _post_member(client, member, company=tree["ningbo"].pk).status_code == 403
    assert _post_company(client, tree["shaoxing"], parent=tree["region"].pk).status_code == 403
    added = _post_unit(client, None, code="NBX", name="宁波片区", parent=tree["province"].pk)
    assert added.status_code == 403
    assert OrgMember.objects.get(user=tree["sx_clerk"]).company == tree["shaoxing"]
    assert Company.objects.get(code="SX").parent == tree["province"]
    assert not OrgUnit.objects.filter(code="NBX").exists()


@pytest.mark.django_db
def test_a_city_administrator_sees_and_changes_their_own_pairing_options_only(client, tree):
    from improvement.models import PairingOptions

    ours = PairingOptions.objects.create(company=tree["ningbo"])
    theirs = PairingOptions.objects.create(company=tree["shaoxing"])
    _login(client, tree["nb_admin"])
    page = _page(client, "admin:improvement_pairingoptions_changelist")
    assert "宁波供电公司" in page and "绍兴供电公司" not in page
    response = client.get(reverse("admin:improvement_pairingoptions_change", args=[theirs.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert (
        client.get(reverse("admin:improvement_pairingoptions_change", args=[ours.pk])).status_code
        == 200
    )
    # A new one offers their own company only.
    add = _page(client, "admin:improvement_pairingoptions_add")
    assert "宁波供电公司" in add and "绍兴供电公司" not in add


@pytest.mark.django_db
def test_a_superusers_place_is_not_listed_to_an_administrator(client, tree):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    OrgMember.objects.create(user=boss, company=tree["ningbo"])
    _login(client, tree["nb_admin"])
    page = _page(client, "admin:stations_orgmember_changelist")
    assert "nb_clerk" in page and "boss" not in page


@pytest.mark.django_db
def test_a_code_in_use_elsewhere_is_refused_without_naming_what_holds_it(client, tree):
    _login(client, tree["nb_admin"])
    page = _errors(_post_company(client, tree["ningbo"], code="JS"))  # 江苏's unit
    assert "This code is already in use; choose another." in page
    assert "江苏" not in page
    tree["ningbo"].refresh_from_db()
    assert tree["ningbo"].code == "NB"


# --- One place: a station's staff belong to its company ----------------------------------------


def test_a_user_at_a_station_is_placed_in_no_other_city(client, tree):
    """On the user page (both inlines posted together) and on each membership's own page:
    a 宁波 station's user may be placed in 宁波 beside it, never in 绍兴 or a unit."""
    station = StationFactory(name="梅林供电所", county=CountyFactory(company=tree["ningbo"]))
    _login(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    add = reverse("admin:auth_user_add")
    fields = {
        **_new_user("twice"),
        "station_membership-TOTAL_FORMS": "1",
        "station_membership-INITIAL_FORMS": "0",
        "station_membership-0-station": station.pk,
        "org_membership-TOTAL_FORMS": "1",
        "org_membership-INITIAL_FORMS": "0",
        "org_membership-0-company": tree["shaoxing"].pk,
        "org_membership-0-unit": "",
    }
    expected = (
        "This user works at 梅林供电所 of 宁波供电公司: their place in the organisation can "
        "only be 宁波供电公司, or none."
    )
    assert _errors(client.post(add, fields)).count(expected) == 1  # said once, at the place
    unit = fields | {"org_membership-0-company": "", "org_membership-0-unit": tree["province"].pk}
    assert expected in _errors(client.post(add, unit))
    assert not get_user_model().objects.filter(username="twice").exists()
    same = fields | {"org_membership-0-company": tree["ningbo"].pk}
    assert client.post(add, same).status_code == 302
    twice = get_user_model().objects.get(username="twice")
    assert (twice.station_membership.station, twice.org_membership.company) == (
        station,
        tree["ningbo"],
    )
    # Each membership's own page reads the other from what is stored.
    assert expected in _errors(
        _post_member(client, twice.org_membership, company=tree["shaoxing"].pk)
    )
    sx_station = StationFactory(county=CountyFactory(company=tree["shaoxing"]))
    url = reverse("admin:stations_stationmember_add")
    page = _errors(client.post(url, {"user": tree["nb_clerk"].pk, "station": sx_station.pk}))
    assert "their place in the organisation can only be 绍兴供电公司, or none" in page
    assert not StationMember.objects.filter(user=tree["nb_clerk"]).exists()


def test_the_user_page_moves_a_user_from_a_station_to_another_city_in_one_save(client, tree):
    """Deleting the station row while placing the user in 绍兴 is a move, not a clash; a
    station id that is no number is a form error, never a 500."""
    station = StationFactory(county=CountyFactory(company=tree["ningbo"]))
    user = UserFactory(username="mover")
    membership = StationMember.objects.create(user=user, station=station)
    _login(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_change", args=[user.pk])
    fields = {
        "username": "mover",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "is_active": "on",
        "station_membership-TOTAL_FORMS": "1",
        "station_membership-INITIAL_FORMS": "1",
        "station_membership-0-id": membership.pk,
        "station_membership-0-user": user.pk,
        "station_membership-0-station": station.pk,
        "station_membership-0-DELETE": "on",
        "org_membership-TOTAL_FORMS": "1",
        "org_membership-INITIAL_FORMS": "0",
        "org_membership-0-company": tree["shaoxing"].pk,
        "org_membership-0-unit": "",
    }
    for odd in ("²", "١", "x"):
        crafted = fields | {"station_membership-0-station": odd}
        crafted.pop("station_membership-0-DELETE")
        assert client.post(url, crafted).status_code == 200
        for page, field in (
            ("admin:stations_stationmember_add", "station"),
            ("admin:stations_orgmember_add", "company"),
            ("admin:improvement_departmentmember_add", "user"),
        ):
            assert client.post(reverse(page), {field: odd}).status_code == 200
    response = client.post(url, fields)
    assert response.status_code == 302, response.content.decode()[-3000:]
    user.refresh_from_db()
    assert not StationMember.objects.filter(user=user).exists()
    assert user.org_membership.company == tree["shaoxing"]
    # A hand-made post without the place row still meets the stored place.
    back = {
        **{k: v for k, v in fields.items() if not k.startswith("station_membership")},
        "station_membership-TOTAL_FORMS": "1",
        "station_membership-INITIAL_FORMS": "0",
        "station_membership-0-station": station.pk,
        "org_membership-TOTAL_FORMS": "0",
        "org_membership-INITIAL_FORMS": "0",
    }
    assert "their place in the organisation can only be" in _errors(client.post(url, back))
    assert not StationMember.objects.filter(user=user).exists()


def test_a_station_or_county_moved_to_another_city_takes_no_second_place_along(client, tree):
    """A 宁波 station whose staff member is also placed in 宁波: moving it (or its county)
    to 绍兴 would give them both cities, so it is refused until they are placed anew."""
    county = CountyFactory(company=tree["ningbo"], name="鄞州区")
    station = StationFactory(code="MEI", name="梅林供电所", county=county)
    staffer = UserFactory(username="meilin")
    StationMember.objects.create(user=staffer, station=station)
    OrgMember.objects.create(user=staffer, company=tree["ningbo"])
    sx_county = CountyFactory(company=tree["shaoxing"], name="柯桥区")
    _login(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    station_url = reverse("admin:stations_station_change", args=[station.pk])
    fields = {
        "code": "MEI",
        "name": "梅林供电所",
        "county": sx_county.pk,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "staff_count": station.staff_count,
        "active": "on",
        "peer_group": station.peer_group,
    }
    expected = (
        "Staff of the stations moved are also placed elsewhere in the organisation (meilin): "
        "place them in 绍兴供电公司, or nowhere, first."
    )
    assert expected in _errors(client.post(station_url, fields))
    county_url = reverse("admin:stations_county_change", args=[county.pk])
    moved = {"company": tree["shaoxing"].pk, "name": "鄞州区", "sort_order": ""}
    assert expected in _errors(client.post(county_url, moved))
    station.refresh_from_db()
    assert station.county == county
    # Placed nowhere else, the move goes through.
    staffer.org_membership.delete()
    assert client.post(station_url, fields).status_code == 302
    station.refresh_from_db()
    assert station.county == sx_county
