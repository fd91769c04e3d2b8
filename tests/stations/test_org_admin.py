"""The organisation tree in the Django admin: the same rules as the organisation file
(no circles, one code for one thing), and every change in the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from stations.models import Company, OrgMember, OrgUnit
from tests.factories import CompanyFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"  # the messages below are the English ones
    return client


@pytest.fixture
def zhejiang():
    """浙江 → 杭州片区 → 余杭, and 宁波 (code NB) under 浙江."""
    province = OrgUnit.objects.create(code="ZJ", name="浙江")
    region = OrgUnit.objects.create(code="HZ", name="杭州片区", parent=province)
    OrgUnit.objects.create(code="YH", name="余杭", parent=region)
    ningbo = CompanyFactory(name="宁波供电公司")
    ningbo.code, ningbo.parent = "NB", province
    ningbo.save()
    return province


def post_unit(client, unit: OrgUnit | None, **fields):
    data = {"code": "", "name": "", "parent": ""}
    if unit is not None:
        data |= {"code": unit.code, "name": unit.name, "parent": unit.parent_id or ""}
    data |= fields
    url = (
        reverse("admin:stations_orgunit_change", args=[unit.pk])
        if unit
        else reverse("admin:stations_orgunit_add")
    )
    with translation.override("en"):
        return client.post(url, data)


def errors(response) -> str:
    assert response.status_code == 200, "the form is shown again"
    form = response.context["adminform"].form
    with translation.override("en"):  # lazy messages are read in the request's language
        return " ".join(str(m) for messages in form.errors.values() for m in messages)


def parents() -> dict[str, str | None]:
    return {u.code: u.parent.code if u.parent else None for u in OrgUnit.objects.all()}


def test_a_unit_cannot_go_under_a_unit_below_it(superuser_client, zhejiang):
    before = parents()
    response = post_unit(superuser_client, zhejiang, parent=OrgUnit.objects.get(code="YH").pk)
    assert errors(response) == ("YH is below ZJ, so ZJ cannot go under it (ZJ → YH → HZ → ZJ)")
    assert parents() == before


def test_a_unit_cannot_be_its_own_parent(superuser_client, zhejiang):
    response = post_unit(superuser_client, zhejiang, parent=zhejiang.pk)
    assert errors(response) == "a unit cannot be its own parent"
    assert OrgUnit.objects.get(code="ZJ").parent is None


def test_a_unit_moves_where_no_circle_forms_and_the_move_is_audited(superuser_client, zhejiang):
    yuhang = OrgUnit.objects.get(code="YH")
    response = post_unit(superuser_client, yuhang, parent=zhejiang.pk)
    assert response.status_code == 302
    assert parents()["YH"] == "ZJ"
    entry = AuditEntry.objects.filter(action=Action.ORG_UNIT_CHANGED).get()
    assert (entry.before, entry.after, entry.actor_name) == (
        {"parent": "杭州片区"},
        {"parent": "浙江"},
        "root",
    )


def test_a_code_names_one_thing(superuser_client, zhejiang):
    StationFactory(code="33020301", name="石碶供电所")
    response = post_unit(superuser_client, None, code="NB", name="宁波")
    assert errors(response) == "NB is the code of the company “宁波供电公司”"
    response = post_unit(superuser_client, None, code="33020301", name="石碶")
    assert errors(response) == "33020301 is the code of the station “石碶供电所”"
    response = post_unit(superuser_client, None, code="Z J", name="浙江")
    assert "An organisation code is made of letters" in errors(response)
    assert set(parents()) == {"ZJ", "HZ", "YH"}


def test_a_companys_code_is_checked_the_same_way(superuser_client, zhejiang):
    shaoxing = CompanyFactory(name="绍兴供电公司")
    url = reverse("admin:stations_company_change", args=[shaoxing.pk])
    with translation.override("en"):
        response = superuser_client.post(url, {"name": shaoxing.name, "code": "ZJ", "parent": ""})
    assert errors(response) == "ZJ is the code of the unit “浙江”"
    with translation.override("en"):
        response = superuser_client.post(
            url, {"name": shaoxing.name, "code": "SX", "parent": zhejiang.pk}
        )
    assert response.status_code == 302
    shaoxing.refresh_from_db()
    assert (shaoxing.code, shaoxing.parent) == ("SX", zhejiang)


def test_companies_without_a_code_stay_without_one(superuser_client):
    """An empty code is stored as no code, so many companies may have none."""
    first, second = CompanyFactory(), CompanyFactory()
    for company in (first, second):
        url = reverse("admin:stations_company_change", args=[company.pk])
        response = superuser_client.post(url, {"name": company.name, "code": "", "parent": ""})
        assert response.status_code == 302
    assert list(Company.objects.values_list("code", flat=True)) == [None, None]


def test_a_member_is_in_a_company_or_a_unit_not_both(superuser_client, zhejiang):
    user = UserFactory(username="zhejiang")
    ningbo = Company.objects.get(code="NB")
    url = reverse("admin:stations_orgmember_add")
    with translation.override("en"):
        both = superuser_client.post(
            url, {"user": user.pk, "company": ningbo.pk, "unit": zhejiang.pk}
        )
        neither = superuser_client.post(url, {"user": user.pk, "company": "", "unit": ""})
    for response in (both, neither):
        assert "Choose a company or an organisation unit, one of the two." in errors(response)
    assert not OrgMember.objects.exists()
    response = superuser_client.post(url, {"user": user.pk, "company": "", "unit": zhejiang.pk})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.ORG_MEMBER_CHANGED)
    assert (entry.before, entry.after) == (None, {"company": None, "unit": "浙江"})


def test_the_user_page_sets_the_users_place(superuser_client, zhejiang):
    user = UserFactory(username="zhejiang")
    OrgMember.objects.create(user=user, unit=zhejiang)
    page = superuser_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    listing = superuser_client.get(reverse("admin:auth_user_changelist"))
    # the inline, filled in with the user's unit
    html = page.content.decode()
    assert 'name="org_membership-0-unit"' in html
    assert f'<option value="{zhejiang.pk}" selected>浙江</option>' in html
    assert "zhejiang @ 浙江" in listing.content.decode()
