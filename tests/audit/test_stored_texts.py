"""Texts the code stores (role group names, set-up and migration reasons) and the target's
name are shown in the reader's language, not in the one they were written in."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audit.labels import stored_text
from audit.models import Action, AuditEntry
from audit.services import record
from demo.company import DEMO_GROUP
from indicators.storedtexts import RETIRED_BEFORE_MONTHS
from scoring import storedtexts
from scoring.models import WeightSet
from stations.roles import ROLES
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db
URL = reverse("audit:list")


@pytest.fixture
def reader(auditor, client):
    def read(language: str, **filters) -> str:
        client.force_login(auditor)
        client.cookies["django_language"] = language
        return client.get(URL, filters).content.decode()

    return read


def test_a_granted_role_group_reads_in_the_readers_language(reader, colleague):
    user = colleague("li")
    for name in ("Station secretaries", "Party committee", "Administrators", DEMO_GROUP):
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    english = reader("en", action=Action.ROLE_GRANTED)
    for label in ("station secretary", "party committee", "administrator", "demo users"):
        assert f"<ins>{label}</ins>" in english
    chinese = reader("zh-hans", action=Action.ROLE_GRANTED)
    for label in ("支部书记", "党委", "管理员", _in_chinese("demo users")):
        assert f"<ins>{label}</ins>" in chinese
    for stored in ("Station secretaries", "Party committee", "Administrators", "Demo users"):
        assert stored not in chinese and stored not in english


def test_every_role_group_has_a_label():
    for role in ROLES:
        assert stored_text(role.group) == str(role.label)


def test_a_new_companys_versions_read_in_the_readers_language(
    reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # weights are recorded on commit
        CompanyFactory(method=None)  # versions 1, recorded with their stored reasons
    english = reader("en", action=Action.WEIGHTS_CREATED)
    assert "Initial equal weights" in english and "v1 from 2000-01" in english
    assert "（" not in english  # no Chinese name of the version
    chinese = reader("zh-hans", action=Action.WEIGHTS_CREATED)
    assert _in_chinese("Initial equal weights") in chinese
    assert "v1（自 2000-01 起）" in chinese
    method = reader("zh-hans", action=Action.METHOD_CREATED)
    assert _in_chinese("Initial method: absolute scoring against the seeded targets") in method


def _in_chinese(message: str) -> str:
    """The catalogue's Chinese (new messages are merged into it from locale/pending)."""
    with translation.override("zh-hans"):
        return gettext(message)


def test_both_names_of_the_target_are_kept():
    weights = WeightSet.objects.get(company=CompanyFactory(), version=1)
    entry = record(Action.WEIGHTS_CREATED, weights)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.target_repr, stored.target_repr_en) == ("v1（自 2000-01 起）", "v1 from 2000-01")


def test_a_typed_reason_is_shown_as_typed():
    assert stored_text("加大安全生产权重") == "加大安全生产权重"


@pytest.mark.parametrize(
    ("module", "constants"),
    [
        ("scoring.migrations.0007_absolute_default", ("LEAGUE_TABLE_REASON", "ABSOLUTE_REASON")),
    ],
)
def test_the_migrations_store_the_texts_that_are_translated(module, constants):
    migration = importlib.import_module(module)
    for name in constants:
        assert getattr(migration, name) == getattr(storedtexts, name)
    source = importlib.import_module("indicators.migrations.0004_indicator_departments")
    with open(source.__file__, encoding="utf-8") as text:
        assert f'retirement_reason="{RETIRED_BEFORE_MONTHS}"' in text.read()
