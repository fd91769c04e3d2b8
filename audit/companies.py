"""The company an audit entry is about, found from its target (one place).

A target reaches its company along its own foreign keys: a company is itself, a county,
version, batch, run, month or token names it (``company``), a station through its county,
a station's member, measure or objection through the station … The path is found once per
model from its fields, by the company model's label (audit sits below stations and never
imports it). A target with no path, or whose path ends empty — a unit's common version, an
organisation unit, an indicator definition, a user, a group — has no company: a change of
something every company shares, or of a level above companies.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

COMPANY = "stations.company"
#: How many foreign keys a path may follow (a measure's indicator: measure → station →
#: county → company).
MAX_HOPS = 4


@cache
def company_path(model: type[models.Model]) -> str | None:
    """The shortest lookup from ``model`` to its company ("pk" for the company itself,
    "county__company", "station__county__company" …); None when it has none."""
    if model._meta.label_lower == COMPANY:
        return "pk"
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _hop in range(MAX_HOPS):
        following = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                related = field.related_model
                if not (field.many_to_one or field.one_to_one) or not isinstance(related, type):
                    continue
                path = f"{prefix}{field.name}"
                if related._meta.label_lower == COMPANY:
                    return path
                if related is not model:
                    following.append((related, f"{path}__"))
        frontier = following
    return None


def company_id_of(target: models.Model) -> int | None:
    """The id of the company ``target`` belongs to, or None."""
    path = company_path(type(target))
    if path is None:
        return None
    if path == "pk":
        return target.pk
    *hops, last = path.split("__")
    row: models.Model | None = target
    try:
        for hop in hops:
            row = getattr(row, hop)
            if row is None:
                return None
        return getattr(row, f"{last}_id")
    except ObjectDoesNotExist:
        return None
