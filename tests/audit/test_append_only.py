"""Entries are never changed or deleted, by a row or a queryset."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.models import Action, AuditEntry, AuditEntryIsAppendOnly
from audit.services import record
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    safety = Indicator.objects.get(code="safety")
    with translation.override("zh-hans"):  # the indicator's name is in the active language
        return record(
            Action.INDICATOR_CHANGED,
            safety,
            before={"max_value": 100},
            after={"max_value": 110},
            reason="wider range",
        )


def test_record_stores_what_it_is_given(entry):
    stored = AuditEntry.objects.get()
    assert stored == entry
    assert (stored.action, stored.target_type, stored.target_repr) == (
        "indicator.changed",
        "indicators.indicator",
        "安全生产指数",
    )
    assert (stored.before, stored.after, stored.reason) == (
        {"max_value": 100},
        {"max_value": 110},
        "wider range",
    )
    assert (stored.actor, stored.actor_name) == (None, "")
    assert stored.at is not None


def test_an_entry_cannot_be_saved_again(entry):
    entry.reason = "rewritten"
    with pytest.raises(AuditEntryIsAppendOnly, match="append-only"):
        entry.save()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry(pk=entry.pk, action=entry.action, target_repr="forged").save(force_update=True)
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.bulk_update([entry], ["reason"])
    assert AuditEntry.objects.get().reason == "wider range"


def test_a_new_entry_with_an_existing_id_is_not_an_update(entry):
    forged = AuditEntry(pk=entry.pk, action=entry.action, target_repr="forged")
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get().target_repr == "安全生产指数"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AuditEntryIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.all().update(reason="rewritten")
    assert AuditEntry.objects.get().reason == "wider range"


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match=r"weights\.changed"):
        record("weights.changed", Indicator.objects.get(code="safety"))
    assert AuditEntry.objects.count() == 0
