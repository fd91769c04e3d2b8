"""The audit trail page and admin: readable by those allowed, never editable; a change made
in a request is recorded with the request's user."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.changes import FieldChange
from audit.models import Action, AuditEntry
from audit.services import record
from indicators.models import Indicator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def change_indicator(code: str, **values) -> Indicator:
    indicator = Indicator.objects.get(code=code)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.save()
    return indicator


def recorded_on(day: str, action: str = Action.INDICATOR_CHANGED, **kwargs) -> AuditEntry:
    at = timezone.make_aware(datetime.fromisoformat(f"{day}T12:00"))
    with mock.patch("django.utils.timezone.now", return_value=at):
        return record(action, Indicator.objects.get(code="safety"), **kwargs)


# --- Who may read it ------------------------------------------------------------------------


def test_the_page_needs_the_permission(client, db):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_shows_each_change_newest_first_as_before_and_after(client, auditor, colleague):
    change_indicator("safety", max_value=110, name_en="Safety")
    committee = Group.objects.get_or_create(name="Party committee")[0]
    colleague("chen").groups.add(committee)
    response = english(client, auditor).get(URL)
    assert response.status_code == 200
    [(granted, role), (changed, indicator), (permission, _changes)] = response.context["rows"]
    assert [granted.action, changed.action, permission.action] == [
        "role.granted",
        "indicator.changed",
        "permission.granted",  # the auditor's own right to read the trail
    ]
    assert indicator.changed == [  # in the model's field order
        FieldChange("English name", "Work safety index", "Safety"),
        FieldChange("highest valid value", "100.0", "110.0"),
    ]
    assert role.changed == [FieldChange("group", None, "party committee")]  # its label
    html = response.content.decode()
    assert "indicator changed" in html and "role granted" in html
    assert "<del>100.0</del>" in html and "<ins>110.0</ins>" in html
    assert "system / command line" in html
    table = html[html.index("<tbody>") :]
    assert table.index("role granted") < table.index("indicator changed")


def test_unchanged_values_of_a_version_are_listed_apart(client, auditor):
    safety = Indicator.objects.get(code="safety")
    record(
        Action.WEIGHTS_CREATED,
        safety,
        before={"weights": {"financial": "10.00", "line_loss": "10.00", "safety": "10.00"}},
        after={"weights": {"financial": "5.00", "line_loss": "10.00", "safety": "15.00"}},
    )
    response = english(client, auditor).get(URL, {"action": "weights.created"})
    [(_entry, changes)] = response.context["rows"]
    assert changes.changed == [  # in the indicators' display order
        FieldChange("weights › Work safety index", "10.00", "15.00"),
        FieldChange("weights › Financial performance index", "10.00", "5.00"),
    ]
    assert changes.unchanged == [FieldChange("weights › Line loss index", "10.00", "10.00")]
    assert "1 value unchanged" in response.content.decode()


def test_the_page_is_chinese_by_default(client, auditor):
    change_indicator("safety", department="安全监察部（质量）")
    client.force_login(auditor)
    response = client.get(URL, {"action": "indicator.changed"})
    [(_entry, changes)] = response.context["rows"]
    assert changes.changed == [FieldChange("责任部门", "安全监察部", "安全监察部（质量）")]


# --- Filters and pages -----------------------------------------------------------------------


def test_filters_by_action_actor_and_days(client, auditor):
    chen = UserFactory(username="chen")
    recorded_on("2026-10-30", actor=chen)
    recorded_on("2026-11-01", actor=chen)
    recorded_on("2026-11-02", Action.IMPORT_LOADED)
    recorded_on("2026-11-03")
    client = english(client, auditor)

    def shown(**filters) -> list[tuple[str, str, str]]:
        response = client.get(URL, filters)
        assert response.status_code == 200
        return [
            (timezone.localtime(entry.at).date().isoformat(), entry.actor_name, entry.action)
            for entry, _changes in response.context["rows"]
        ]

    assert shown(action="import.loaded") == [("2026-11-02", "", "import.loaded")]
    assert shown(actor="chen") == [
        ("2026-11-01", "chen", "indicator.changed"),
        ("2026-10-30", "chen", "indicator.changed"),
    ]
    system = shown(actor="(system)", date_from="2026-10-01", date_to="2026-11-03")
    assert [day for day, _name, _action in system] == ["2026-11-03", "2026-11-02"]
    assert [day for day, *_rest in shown(date_from="2026-11-01", date_to="2026-11-02")] == [
        "2026-11-02",
        "2026-11-01",
    ]
    assert shown(actor="chen", date_from="2026-11-01") == [
        ("2026-11-01", "chen", "indicator.changed")
    ]


def test_a_bad_filter_is_reported_and_the_others_still_apply(client, auditor):
    recorded_on("2026-11-01")
    recorded_on("2026-11-02", Action.IMPORT_LOADED)
    recorded_on("2026-11-03", Action.IMPORT_LOADED)
    client = english(client, auditor)
    response = client.get(URL, {"action": "import.loaded", "date_to": "2026-11-31"})
    assert response.status_code == 200
    assert [entry.action for entry, _changes in response.context["rows"]] == ["import.loaded"] * 2
    assert "Enter a valid date." in response.content.decode()
    response = client.get(
        URL, {"action": "import.loaded", "date_from": "2026-11-03", "date_to": "2026-11-01"}
    )
    assert [
        timezone.localtime(entry.at).date().isoformat() for entry, _ in response.context["rows"]
    ] == ["2026-11-03"]
    assert "The last day is before the first day." in response.content.decode()


def test_fifty_entries_per_page_and_the_pages_keep_the_filters(
    client, auditor, django_assert_max_num_queries
):
    safety = Indicator.objects.get(code="safety")
    for number in range(51):
        record(Action.INDICATOR_CHANGED, safety, after={"max_value": number})
    client = english(client, auditor)
    # Session, user, 2 × permissions, actor names, count, indicator names, entries, the
    # base template's station membership, the viewer's roles and unread notifications,
    # and (this reader's scope holds no company) whether they are placed at a unit, for
    # the entries about people and units (``audit.visibility``): none per entry.
    with django_assert_max_num_queries(12):
        first = client.get(URL, {"action": "indicator.changed"})
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0][0].after == {"max_value": 50}
    assert "?action=indicator.changed&amp;page=2" in first.content.decode()
    second = client.get(URL, {"action": "indicator.changed", "page": 2})
    assert [entry.after for entry, _changes in second.context["rows"]] == [{"max_value": 0}]


# --- The Django admin ------------------------------------------------------------------------


def test_the_admin_shows_entries_but_cannot_add_change_or_delete_them(client, superuser):
    entry = record(Action.INDICATOR_CHANGED, Indicator.objects.get(code="safety"), reason="why")
    client.force_login(superuser)
    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [
        entry,
        *AuditEntry.objects.exclude(pk=entry.pk),
    ]
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"reason": "rewritten"}).status_code == 403
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == "why"


# --- Changes made in a request -----------------------------------------------------------------


def test_an_indicator_changed_in_the_admin_is_recorded_with_the_admin(client, superuser):
    safety = Indicator.objects.get(code="safety")
    url = reverse("admin:indicators_indicator_change", args=[safety.pk])
    client.force_login(superuser)
    form = client.get(url).context["adminform"].form
    data = {name: form.initial[name] for name in form.fields}
    response = client.post(url, {**data, "unit_en": "points", "max_value": 110})
    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(action__startswith="indicator.")
    assert (entry.action, entry.actor, entry.actor_name) == ("indicator.changed", superuser, "root")
    assert (entry.before, entry.after) == (
        {"unit_en": "pts", "max_value": 100.0},
        {"unit_en": "points", "max_value": 110.0},
    )


def test_groups_and_rights_changed_in_the_admin_are_recorded_with_the_admin(client, superuser):
    committee = Group.objects.get_or_create(name="Party committee")[0]
    chen = UserFactory(username="chen")
    before = AuditEntry.objects.count()
    url = reverse("admin:auth_user_change", args=[chen.pk])
    client.force_login(superuser)
    joined = timezone.localtime(chen.date_joined)
    response = client.post(
        url,
        {
            "username": "chen",
            "is_active": "on",
            "is_staff": "on",
            "groups": [committee.pk],
            "date_joined_0": joined.date().isoformat(),
            "date_joined_1": joined.time().isoformat(timespec="seconds"),
            # The user's station (an inline form): none.
            "station_membership-TOTAL_FORMS": "0",
            "station_membership-INITIAL_FORMS": "0",
            "station_membership-MIN_NUM_FORMS": "0",
            "station_membership-MAX_NUM_FORMS": "1",
            # Their place in the organisation (an inline form): none.
            "org_membership-TOTAL_FORMS": "0",
            "org_membership-INITIAL_FORMS": "0",
            "org_membership-MIN_NUM_FORMS": "0",
            "org_membership-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [
        (entry.action, entry.actor, entry.target_repr, entry.before, entry.after)
        for entry in AuditEntry.objects.order_by("id")[before:]
    ] == [
        ("user.changed", superuser, "chen", {"is_staff": False}, {"is_staff": True}),
        ("role.granted", superuser, "chen", None, {"group": "Party committee"}),
    ]


def test_logging_in_records_nothing(client, superuser):
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("login"), {"username": "root", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before
