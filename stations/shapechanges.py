"""Prepare a company's map shapes when what they are made of changes.

A saved or deleted station, county, county border or uploaded service area asks, once
its transaction commits, for ``stations.tasks.
prepare_shapes``: at 30,000 stations building the areas takes about ten seconds, which a
worker spends rather than the first person to open the map. Writes that send no signals
(a station file's ``bulk_create``/``bulk_update``) call ``shapes_changed`` themselves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from stations.areas import forget_digest
from stations.models import County, CountyBoundary, ServiceArea, Station


def shapes_changed(company_id: int) -> None:
    """Prepare the company's shapes once the current transaction commits (a task that
    finds them prepared returns at once, so several asks cost little)."""

    def prepare() -> None:
        from stations.tasks import prepare_shapes

        forget_digest(company_id)
        prepare_shapes.delay(company_id)

    forget_digest(company_id)  # this transaction's own reads see its changes
    transaction.on_commit(prepare)


def _company_of(instance: object) -> int | None:
    if isinstance(instance, County):
        return instance.company_id
    if isinstance(instance, Station | CountyBoundary):
        return (
            County.objects.filter(pk=instance.county_id)
            .values_list("company_id", flat=True)
            .first()
        )
    if isinstance(instance, ServiceArea):
        return (
            Station.objects.filter(pk=instance.station_id)
            .values_list("county__company_id", flat=True)
            .first()
        )
    return None


def _changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    company_id = _company_of(instance)
    if company_id is not None:
        shapes_changed(company_id)


def connect() -> None:
    for model in (Station, County, CountyBoundary, ServiceArea):
        post_save.connect(_changed, sender=model, dispatch_uid=f"shapes-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"shapes-del-{model.__name__}")
