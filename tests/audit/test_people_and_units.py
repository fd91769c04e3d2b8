"""Entries about people and units belong to no company: a reader sees them by where the
person or the unit is now (``audit.visibility``). 宁波's administrator reads the roles
granted to 宁波's people, never to 绍兴's, the province's or anyone placed nowhere; the
province viewer reads both cities' and the province's; a superuser everything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import Action
from audit.services import record
from indicators.models import Indicator
from stations.models import OrgMember, OrgUnit, StationMember
from stations.roles import PARTY_COMMITTEE
from tests.factories import (
    CompanyFactory,
    CountyFactory,
    StationFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:list")
ADMIN_LIST = reverse("admin:audit_auditentry_changelist")
#: Everyone an entry is about, by where they are placed.
PEOPLE = ("nb_clerk", "nb_staffer", "sx_clerk", "zj_clerk", "drifter")
UNITS = ("杭州片区", "江苏省电力公司")


@pytest.fixture
def tree(db):
    """浙江 (ZJ) with 宁波 and 绍兴 below it and a region 杭州片区; 江苏 beside it; a
    person placed at each, roles granted to each (real changes, so real entries)."""
    province = OrgUnit.objects.create(code="ZJ", name="浙江省电力公司")
    OrgUnit.objects.create(code="HZ", name="杭州片区", parent=province)
    OrgUnit.objects.create(code="JS", name="江苏省电力公司")
    ningbo, shaoxing = CompanyFactory(name="宁波供电公司"), CompanyFactory(name="绍兴供电公司")
    for city in (ningbo, shaoxing):
        city.parent = province
        city.save(update_fields=["parent"])
    station = StationFactory(name="宁波一所", county=CountyFactory(company=ningbo))
    people = {
        "nb_clerk": UserFactory(username="nb_clerk"),
        "nb_staffer": UserFactory(username="nb_staffer"),
        "sx_clerk": UserFactory(username="sx_clerk"),
        "zj_clerk": UserFactory(username="zj_clerk"),
        "drifter": UserFactory(username="drifter"),
    }
    OrgMember.objects.create(user=people["nb_clerk"], company=ningbo)
    StationMember.objects.create(user=people["nb_staffer"], station=station)
    OrgMember.objects.create(user=people["sx_clerk"], company=shaoxing)
    OrgMember.objects.create(user=people["zj_clerk"], unit=province)
    committee = Group.objects.get(name=PARTY_COMMITTEE.group)
    for person in people.values():
        person.groups.add(committee)
    readers = {
        "nb_admin": user_with_role("admin", company=ningbo, username="nb_admin", is_staff=True),
        "sx_admin": user_with_role("admin", company=shaoxing, username="sx_admin"),
        "viewer": user_with_role("admin", unit=province, username="zj_viewer"),
        "root": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    return {"ningbo": ningbo, "people": people, **readers}


def _seen(client, reader, path: str = PAGE, **query) -> set[str]:
    """The people and units named on the page ``reader`` reads."""
    client.force_login(reader)
    client.cookies["django_language"] = "en"
    response = client.get(path, query)
    assert response.status_code == 200
    page = response.content.decode()
    return {name for name in (*PEOPLE, *UNITS) if name in page}


def test_a_city_administrator_reads_the_entries_about_their_citys_people(client, tree):
    assert _seen(client, tree["nb_admin"]) == {"nb_clerk", "nb_staffer"}
    assert _seen(client, tree["sx_admin"]) == {"sx_clerk"}


def test_the_django_admin_shows_the_same(client, tree):
    assert _seen(client, tree["nb_admin"], ADMIN_LIST) == {"nb_clerk", "nb_staffer"}
    sx_grant = record(Action.ROLE_GRANTED, tree["people"]["sx_clerk"], after={"group": "x"})
    client.force_login(tree["nb_admin"])
    response = client.get(reverse("admin:audit_auditentry_change", args=[sx_grant.pk]))
    assert response.status_code == 302  # not found: back to the admin's index


def test_a_province_viewer_reads_both_cities_the_province_and_its_units(client, tree):
    expected = {"nb_clerk", "nb_staffer", "sx_clerk", "zj_clerk", "杭州片区"}
    assert _seen(client, tree["viewer"]) == expected


def test_a_superuser_reads_everything(client, tree):
    assert _seen(client, tree["root"]) == {*PEOPLE, *UNITS}


def test_an_entry_about_someone_placed_nowhere_is_read_by_whoever_made_it(client, tree):
    drifter = tree["people"]["drifter"]
    record(Action.USER_CHANGED, drifter, after={"is_staff": True}, actor=tree["nb_admin"])
    assert "drifter" in _seen(client, tree["nb_admin"])
    # … and by their colleagues (placed within the reader's scope), never by another city.
    colleague = user_with_role("admin", company=tree["ningbo"], username="nb_admin2")
    assert "drifter" in _seen(client, colleague)
    assert "drifter" not in _seen(client, tree["sx_admin"])


def test_a_user_who_moves_takes_their_history_along(client, tree):
    clerk = tree["people"]["nb_clerk"]
    membership = clerk.org_membership
    membership.company = OrgMember.objects.get(user=tree["people"]["sx_clerk"]).company
    membership.save()
    roles = {"action": Action.ROLE_GRANTED}
    assert "nb_clerk" not in _seen(client, tree["nb_admin"], **roles)
    assert "nb_clerk" in _seen(client, tree["sx_admin"], **roles)
    # Their placing in 宁波 stays 宁波's history (the entry names the company it was in).
    assert "nb_clerk" in _seen(client, tree["nb_admin"], action=Action.ORG_MEMBER_CHANGED)


def test_the_by_filter_names_no_one_from_elsewhere(client, tree):
    sx_clerk = tree["people"]["sx_clerk"]
    record(Action.USER_CHANGED, sx_clerk, after={"is_staff": True}, actor=tree["sx_admin"])
    client.force_login(tree["nb_admin"])
    page = client.get(PAGE).content.decode()
    assert '<option value="sx_admin">' not in page
    assert "sx_clerk" not in client.get(PAGE, {"actor": "sx_admin"}).content.decode()


def test_shared_entries_stay_shared(client, tree):
    indicator = Indicator.objects.get(code="safety")
    indicator.name_en = "Safety first"
    indicator.save()
    for reader in ("nb_admin", "sx_admin", "viewer"):
        client.force_login(tree[reader])
        client.cookies["django_language"] = "en"
        assert "Safety first" in client.get(PAGE).content.decode()


def test_a_units_common_version_is_read_below_and_above_it_never_beside(
    client, tree, django_capture_on_commit_callbacks
):
    """浙江's common weights govern 宁波 and 绍兴: their readers and the province's read its
    entry (and its reason); 江苏's are another province's and read by none of them."""
    from scoring.services import publish_unit_weights

    indicators = Indicator.objects.filter(active=True).values_list("code", flat=True)
    weights = {code: Decimal(1) for code in indicators}
    for code, reason in (("ZJ", "浙江统一权重"), ("JS", "江苏统一权重")):
        unit = OrgUnit.objects.get(code=code)
        with django_capture_on_commit_callbacks(execute=True):
            publish_unit_weights(
                unit=unit, weights=weights, effective_from=date(2200, 1, 1), reason=reason
            )
    for reader in (tree["nb_admin"], tree["sx_admin"], tree["viewer"]):
        client.force_login(reader)
        page = client.get(PAGE).content.decode()
        assert ("浙江统一权重" in page, "江苏统一权重" in page) == (True, False), reader
    js_admin = user_with_role("admin", unit=OrgUnit.objects.get(code="JS"), username="js")
    client.force_login(js_admin)
    page = client.get(PAGE).content.decode()
    assert ("浙江统一权重" in page, "江苏统一权重" in page) == (False, True)
    client.force_login(tree["root"])
    page = client.get(ADMIN_LIST).content.decode()
    assert "江苏" in page and "浙江" in page
    client.force_login(tree["nb_admin"])
    assert "江苏" not in client.get(ADMIN_LIST).content.decode()
    # A version deleted (an unused typo) keeps its readers: the entry names its unit.
    from scoring.models import WeightSet

    WeightSet.objects.get(unit__code="JS").delete()
    client.force_login(js_admin)
    deleted = client.get(PAGE, {"action": Action.WEIGHTS_DELETED}).content.decode()
    assert "江苏统一权重" in deleted
    client.force_login(tree["nb_admin"])
    assert "江苏统一权重" not in client.get(PAGE).content.decode()


def test_an_administrator_who_moves_leaves_their_earlier_entries_behind(client, tree):
    """What 江苏's administrator did to 江苏's people stays 江苏's to read after they move to
    宁波: a colleague is read by where they were placed when they acted."""
    jiangsu = OrgUnit.objects.get(code="JS")
    js_clerk = UserFactory(username="js_clerk")
    OrgMember.objects.create(user=js_clerk, unit=jiangsu)
    mover = user_with_role("admin", unit=jiangsu, username="js_mover")
    record(Action.USER_CHANGED, js_clerk, after={"is_staff": True}, actor=mover)
    membership = mover.org_membership
    membership.unit, membership.company = None, tree["ningbo"]
    membership.save()
    assert "js_clerk" not in _seen_people(client, tree["nb_admin"], ("js_clerk",))
    js_admin = user_with_role("admin", unit=jiangsu, username="js_admin")
    assert "js_clerk" in _seen_people(client, js_admin, ("js_clerk",))
    # What they do from now on is 宁波's colleagues' to read.
    record(Action.USER_CHANGED, tree["people"]["drifter"], after={"x": 1}, actor=mover)
    assert "drifter" in _seen(client, tree["nb_admin"])


def _seen_people(client, reader, names) -> set[str]:
    client.force_login(reader)
    page = client.get(PAGE).content.decode()
    return {name for name in names if name in page}
