"""Indicators, station memberships, groups, permissions and user rights: one entry per
change, with the changed fields only (never a password hash or a login time)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, update_last_login

from audit.models import Action, AuditEntry
from indicators.models import Indicator
from stations.models import StationMember
from tests.factories import StationFactory, UserFactory

pytestmark = pytest.mark.django_db


def entries(action: str | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.order_by("id")
    return list(found.filter(action=action) if action else found)


def changes(entry: AuditEntry) -> tuple:
    return entry.action, entry.target_repr, entry.before, entry.after


# --- Indicators -----------------------------------------------------------------------


def test_an_indicator_change_records_the_changed_fields_only():
    safety = Indicator.objects.get(code="safety")
    safety.name_en = "Safety"
    safety.max_value = 110
    safety.save()
    [entry] = entries()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "indicator.changed",
        "indicators.indicator",
        str(safety.pk),
    )
    assert entry.before == {"name_en": "Work safety index", "max_value": 100.0}
    assert entry.after == {"name_en": "Safety", "max_value": 110.0}
    assert (entry.actor, entry.actor_name) == (None, "")


def test_saving_an_unchanged_indicator_records_nothing():
    Indicator.objects.get(code="safety").save()
    assert entries() == []


def test_only_the_saved_fields_of_an_indicator_are_compared():
    safety = Indicator.objects.get(code="safety")
    safety.name_zh, safety.name_en = "安全", "not saved"
    safety.save(update_fields=["name_zh"])
    [entry] = entries()
    assert (entry.before, entry.after) == ({"name_zh": "安全生产指数"}, {"name_zh": "安全"})


def test_a_new_indicator_records_all_its_fields():
    indicator = Indicator.objects.create(
        code="reliability",
        name_zh="供电可靠性",
        name_en="Reliability",
        direction="higher",
        min_value=0,
        max_value=100,
    )
    [entry] = entries()
    assert changes(entry) == (
        "indicator.created",
        "供电可靠性",
        None,
        {
            "code": "reliability",
            "name_zh": "供电可靠性",
            "name_en": "Reliability",
            "direction": "higher",
            "unit": "",
            "unit_en": "",
            "min_value": 0,
            "max_value": 100,
            "department": "",
            "department_en": "",
            "display_order": 0,
            "active": True,
            "active_from": None,
            "retired_from": None,
            "retirement_reason": "",
        },
    )
    assert entry.target_id == str(indicator.pk)


# --- Station members --------------------------------------------------------------------


def test_station_membership_is_recorded_when_added_changed_and_removed():
    meilin = StationFactory(name="梅林供电所")
    haishu = StationFactory(name="海曙供电所")
    user = UserFactory(username="wang")
    member = StationMember.objects.create(user=user, station=meilin)
    member.station = haishu
    member.save()
    member.delete()
    assert [changes(entry) for entry in entries(Action.STATION_MEMBER_CHANGED)] == [
        ("station_member.changed", "wang @ 梅林供电所", None, {"station": "梅林供电所"}),
        (
            "station_member.changed",
            "wang @ 海曙供电所",
            {"station": "梅林供电所"},
            {"station": "海曙供电所"},
        ),
        ("station_member.changed", "wang @ 海曙供电所", {"station": "海曙供电所"}, None),
    ]


# --- Groups (roles) and permissions -------------------------------------------------------


def test_adding_and_removing_a_group_records_one_entry_each():
    committee = Group.objects.get_or_create(name="Party committee")[0]
    user = UserFactory(username="chen")
    user.groups.add(committee)
    user.groups.add(committee)  # already in it: nothing happens, nothing recorded
    user.groups.remove(committee)
    user.groups.remove(committee)  # no longer in it: nothing recorded
    assert [changes(entry) for entry in entries()] == [
        ("role.granted", "chen", None, {"group": "Party committee"}),
        ("role.revoked", "chen", {"group": "Party committee"}, None),
    ]
    assert {entry.target_type for entry in entries()} == {"auth.user"}


def test_clearing_and_setting_groups_record_each_group():
    staff, committee, admins = (
        Group.objects.get_or_create(name=name)[0]
        for name in ("Station staff", "Party committee", "Admins")
    )
    user = UserFactory(username="chen")
    user.groups.add(staff, committee)
    user.groups.set([committee, admins])
    user.groups.clear()
    assert [(entry.action, (entry.before or entry.after)["group"]) for entry in entries()] == [
        ("role.granted", "Station staff"),
        ("role.granted", "Party committee"),
        ("role.revoked", "Station staff"),
        ("role.granted", "Admins"),
        ("role.revoked", "Party committee"),
        ("role.revoked", "Admins"),
    ]


def test_groups_changed_from_the_group_side_name_each_user():
    committee = Group.objects.get_or_create(name="Party committee")[0]
    chen, li = UserFactory(username="chen"), UserFactory(username="li")
    committee.user_set.add(chen, li)
    committee.user_set.clear()
    assert [(entry.action, entry.target_repr) for entry in entries()] == [
        ("role.granted", "chen"),
        ("role.granted", "li"),
        ("role.revoked", "chen"),
        ("role.revoked", "li"),
    ]


def test_deleting_a_group_revokes_it_from_its_users():
    committee = Group.objects.get_or_create(name="Party committee")[0]
    user = UserFactory(username="chen")
    user.groups.add(committee)
    committee.delete()
    assert changes(entries()[-1]) == ("role.revoked", "chen", {"group": "Party committee"}, None)


def test_permissions_given_to_a_user_or_a_group_are_recorded():
    view_audit = Permission.objects.get(codename="view_auditentry")
    user = UserFactory(username="chen")
    committee = Group.objects.get_or_create(name="Party committee")[0]
    user.user_permissions.add(view_audit)
    committee.permissions.add(view_audit)
    user.user_permissions.remove(view_audit)
    assert [changes(entry) for entry in entries()] == [
        ("permission.granted", "chen", None, {"permission": "audit.view_auditentry"}),
        ("permission.granted", "Party committee", None, {"permission": "audit.view_auditentry"}),
        ("permission.revoked", "chen", {"permission": "audit.view_auditentry"}, None),
    ]


# --- User rights --------------------------------------------------------------------------


def test_user_rights_changes_are_recorded_but_not_passwords_or_logins():
    user = UserFactory(username="chen")
    assert entries() == [], "a plain new user has no rights to record"
    user.is_staff = True
    user.save()
    user.set_password("another-long-password")
    user.first_name = "陈"
    user.save()
    update_last_login(None, user)
    user.is_active = False
    user.is_staff = False
    user.save()
    assert [changes(entry) for entry in entries()] == [
        ("user.changed", "chen", {"is_staff": False}, {"is_staff": True}),
        (
            "user.changed",
            "chen",
            {"is_staff": True, "is_active": True},
            {"is_staff": False, "is_active": False},
        ),
    ]


def test_a_user_created_with_rights_is_recorded():
    get_user_model().objects.create_superuser("root", password="a-long-test-password")
    [entry] = entries()
    assert changes(entry) == (
        "user.changed",
        "root",
        None,
        {"is_staff": True, "is_superuser": True, "is_active": True},
    )


def test_deleting_a_user_is_recorded_and_keeps_their_name_on_their_entries():
    committee = Group.objects.get_or_create(name="Party committee")[0]
    user = UserFactory(username="chen", is_staff=True)
    user.groups.add(committee)
    by_chen = AuditEntry.objects.create(
        actor=user, actor_name="chen", action=Action.INDICATOR_CHANGED, target_repr="x"
    )
    user.delete()
    deleted = entries(Action.USER_DELETED)
    assert [changes(entry) for entry in deleted] == [
        (
            "user.deleted",
            "chen",
            {
                "is_staff": True,
                "is_superuser": False,
                "is_active": True,
                "groups": ["Party committee"],
            },
            None,
        )
    ]
    by_chen.refresh_from_db()
    assert (by_chen.actor, by_chen.actor_name) == (None, "chen")
