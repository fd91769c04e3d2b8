"""Writes for stations: companies and the station register."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from stations.importing import parse_station_table
from stations.models import NAME_KEY_FIELDS, Company, County, Station, name_keys
from stations.shapechanges import shapes_changed
from stations.signals import announce_company_created, stations_imported
from tabular.reading import cell_text, file_sha256, limits_from_settings, read_table


class CompanyChoiceError(Exception):
    """The company to use cannot be decided without the user's help."""


@transaction.atomic
def create_company(name: str) -> Company:
    """A new company; the apps above make what it needs (scoring: its first weights)."""
    company = Company.objects.create(name=name)
    announce_company_created(company)
    return company


def resolve_company(name: str | None, *, create: bool) -> Company:
    """The named company, or the only one; with ``create``, made when missing."""
    if name:
        company = Company.objects.filter(name=name).first()
        if company is None and create:
            return create_company(name)
        if company is None:
            raise CompanyChoiceError(_("There is no company named %r.") % name)
        return company
    companies = list(Company.objects.all()[:2])
    if len(companies) == 1:
        return companies[0]
    if not companies and create:
        return create_company(_("My power-supply company"))
    if not companies:
        raise CompanyChoiceError(_("There is no company yet: import stations first."))
    raise CompanyChoiceError(_("There are several companies; name one with --company."))


@dataclass(frozen=True)
class StationImportResult:
    company: Company
    created: int
    #: Stations of the file that existed already (changed or not).
    updated: int
    counties_created: int
    #: Of those, the ones whose fields changed, and the ones switched off / on.
    changed: int = 0
    deactivated: int = 0
    reactivated: int = 0


#: The station fields an import sets (the code is the key).
IMPORTED_FIELDS = ("name", "county", "latitude", "longitude", "staff_count", "active")
#: What its bulk writes store: those and the name's pinyin keys (no ``save`` runs).
WRITTEN_FIELDS = (*IMPORTED_FIELDS, *NAME_KEY_FIELDS)


def import_stations(
    path: Path | str, *, company_name: str | None = None, user=None
) -> StationImportResult:
    """Upsert stations by code from a CSV. All or nothing: raises FileRejected.

    Recorded in the audit trail as one entry with the counts (``user``: who loaded it;
    without one, the request's user or "system / command line")."""
    path = Path(path)
    table = read_table(path, limits_from_settings())
    with transaction.atomic():
        company = resolve_company(company_name, create=True)
        code_index = table.header.index("code") if "code" in table.header else 0
        codes = {
            cell_text(cells[code_index]) for _line, cells in table.rows if code_index < len(cells)
        }
        foreign = frozenset(
            Station.objects.filter(code__in=codes)
            .exclude(county__company=company)
            .values_list("code", flat=True)
        )
        records = parse_station_table(table, path.name, foreign_codes=foreign)
        counties = {county.name: county for county in company.counties.all()}
        new_counties = 0
        for name in sorted({row.county for row in records} - set(counties)):
            counties[name] = County.objects.create(company=company, name=name)
            new_counties += 1
        existing = Station.objects.select_related("county").in_bulk(
            [row.code for row in records], field_name="code"
        )
        to_create, to_update = [], []
        changed: list[str] = []
        deactivated: list[str] = []
        reactivated: list[str] = []
        for row in records:
            fields = {
                "name": row.name,
                "county": counties[row.county],
                "latitude": row.latitude,
                "longitude": row.longitude,
                "staff_count": row.staff_count,
                "active": row.active,
            }
            station = existing.get(row.code)
            if station is None:
                to_create.append(Station(code=row.code, **fields, **name_keys(row.name)))
                continue
            before = {name: getattr(station, name) for name in IMPORTED_FIELDS}
            for field, value in (*fields.items(), *name_keys(row.name).items()):
                setattr(station, field, value)
            to_update.append(station)
            if before != fields:
                changed.append(station.code)
            if before["active"] != station.active:
                (reactivated if station.active else deactivated).append(station.code)
        Station.objects.bulk_create(to_create)
        Station.objects.bulk_update(to_update, list(WRITTEN_FIELDS))
        shapes_changed(company.pk)
        stations_imported.send(sender=Company, company=company)
        result = StationImportResult(
            company,
            len(to_create),
            len(to_update),
            new_counties,
            changed=len(changed),
            deactivated=len(deactivated),
            reactivated=len(reactivated),
        )
        record(
            Action.STATIONS_IMPORTED,
            company,
            after={
                "file_name": path.name,
                "file_sha256": file_sha256(path),
                "rows": len(records),
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.updated - result.changed,
                "deactivated": result.deactivated,
                "reactivated": result.reactivated,
                "counties_created": new_counties,
                # Switching a station off matters most: name them (at most 100).
                "deactivated_codes": sorted(deactivated)[:100],
            },
            actor=user,
        )
    return result
