"""An entry's before → after as rows a person can read: one per field, labelled in the
active language; a nested value (weights, method parameters) gives one row per key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import yesno
from django.utils.translation import gettext_lazy as _

from audit.labels import stored_text
from audit.models import AuditEntry
from scoring.engine import ScoringMethod

#: Shown first, in this order; then the target model's fields in their order. (PostgreSQL
#: does not keep the order of a JSON object's keys.)
LEADING_KEYS = ("company", "unit", "version", "effective_from", "reason")
#: Labels of recorded keys that are not fields of the target's model.
KEY_LABELS = {
    "weights": _("weights"),
    "group": _("group"),
    "permission": _("permission"),
    # a published re-grade (scoring.services.publish_run)
    "run": _("score run"),
    "month": _("month"),
    "weights_version": _("weight version"),
    "method_version": _("method version"),
    "method": _("method"),
    # a company's choice of its own method (scoring.services.set_own_method)
    "own_method": _("uses its own method"),
    "regraded_months": _("months re-graded"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str | None  # None: no value (the row was created, or the key is new)
    new: str | None  # None: no value (the row was deleted, or the key is gone)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class EntryChanges:
    changed: list[FieldChange]
    unchanged: list[FieldChange]  # recorded for context: a version's other weights


def entry_changes(
    entry: AuditEntry, *, indicator_names: dict[str, str] | None = None
) -> EntryChanges:
    """The rows that changed and those that did not. With ``indicator_names`` (code → name),
    weights are labelled by indicator name instead of code."""
    rows = _rows(entry, indicator_names=indicator_names or {})
    return EntryChanges(
        changed=[row for row in rows if row.changed],
        unchanged=[row for row in rows if not row.changed],
    )


def _rows(entry: AuditEntry, *, indicator_names: dict[str, str]) -> list[FieldChange]:
    before, after = entry.before or {}, entry.after or {}
    model = entry.target_model
    fields = [field.name for field in model._meta.concrete_fields] if model else []
    sub_orders = {"weights": list(indicator_names), "params": list(ScoringMethod().as_record())}
    rows = []
    for key in _keys(before, after, order=[*LEADING_KEYS, *fields]):
        field = _field(model, key)
        label = str(field.verbose_name) if field else str(KEY_LABELS.get(key, key))
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old or {}, new or {}
            names = indicator_names if key == "weights" else {}
            rows += [
                FieldChange(
                    f"{label} › {names.get(sub, sub)}", _text(old.get(sub)), _text(new.get(sub))
                )
                for sub in _keys(old, new, order=sub_orders.get(key, []))
            ]
        else:
            rows.append(FieldChange(label, _text(old, field), _text(new, field)))
    return rows


def _keys(before: dict, after: dict, *, order: list[str]) -> list[str]:
    """Every key of either, those in ``order`` first and in that order."""
    rank = {key: position for position, key in enumerate(order)}
    keys = [*before, *(key for key in after if key not in before)]
    return sorted(keys, key=lambda key: rank.get(key, len(rank)))


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None


def _text(value: Any, field: models.Field | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return yesno(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(stored_text(str(item)) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return stored_text(str(value))  # a group's name, a set-up reason: translated
