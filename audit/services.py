"""Writes for the audit trail: one function, ``record`` (and ``not_recorded`` for the
set-up that ``migrate`` does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import translation

from audit.companies import company_id_of
from audit.middleware import current_user
from audit.models import Action, AuditEntry
from audit.visibility import actor_place

_PAUSED: ContextVar[bool] = ContextVar("audit_paused", default=False)


@contextmanager
def not_recorded() -> Iterator[None]:
    """Changes made inside are not recorded: only for what the code itself defines and
    ``migrate`` applies (the role groups' permissions, see ``stations.roles``), never for
    a person's change."""
    token = _PAUSED.set(True)
    try:
        yield
    finally:
        _PAUSED.reset(token)


def record(
    action: str,
    target: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor=None,
    actor_name: str = "",
    company: models.Model | None = None,
    unit: models.Model | None = None,
) -> AuditEntry | None:
    """Append one entry: ``action`` (an ``Action`` code) done to ``target``.

    ``before``/``after`` hold the values that changed (None: created / deleted); dates and
    decimals are stored as text. Without ``actor``, the current request's user is recorded;
    outside a request (commands, tasks) there is none, shown as "system / command line",
    unless ``actor_name`` names who acted (a feeding system through the API).

    The entry belongs to ``company`` when given, else to the company of ``target``
    (``audit.companies``); a change of something every company shares has none.
    ``unit``: the unit whose common version ``target`` is (``audit.visibility``).
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if _PAUSED.get():
        return None
    actor = actor or current_user()
    actor_company_id, actor_unit_id = actor_place(actor)
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else actor_name[:150],
        action=action,
        target_type=target._meta.label_lower,
        target_id="" if target.pk is None else str(target.pk),
        target_repr=_named(target, settings.LANGUAGE_CODE),
        target_repr_en=_named(target, "en"),
        before=_json_ready(before),
        after=_json_ready(after),
        reason=reason,
        company_id=company.pk if company is not None else company_id_of(target),
        unit_id=unit.pk if unit is not None else None,
        actor_company_id=actor_company_id,
        actor_unit_id=actor_unit_id,
    )


def _named(target: models.Model, language: str) -> str:
    with translation.override(language):
        return str(target)[:200]


def _json_ready(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """The values as they read back from the JSON column (dates and decimals as text)."""
    if values is None:
        return None
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))
