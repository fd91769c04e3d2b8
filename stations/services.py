"""Writes for stations: companies and the station register."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.tabular import cell_text, limits_from_settings, read_table
from stations.importing import parse_station_table
from stations.models import Company, County, Station


class CompanyChoiceError(Exception):
    """The company to use cannot be decided without the user's help."""


@transaction.atomic
def create_company(name: str) -> Company:
    """A new company with its first weight version (equal weights), so it can be scored."""
    from scoring.services import create_initial_weights

    company = Company.objects.create(name=name)
    create_initial_weights(company)
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
    updated: int
    counties_created: int


def import_stations(path: Path | str, *, company_name: str | None = None) -> StationImportResult:
    """Upsert stations by code from a CSV. All or nothing: raises FileRejected."""
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
        for name in sorted({record.county for record in records} - set(counties)):
            counties[name] = County.objects.create(company=company, name=name)
            new_counties += 1
        existing = Station.objects.in_bulk([record.code for record in records], field_name="code")
        to_create, to_update = [], []
        for record in records:
            fields = {
                "name": record.name,
                "county": counties[record.county],
                "latitude": record.latitude,
                "longitude": record.longitude,
                "staff_count": record.staff_count,
                "active": record.active,
            }
            station = existing.get(record.code)
            if station is None:
                to_create.append(Station(code=record.code, **fields))
            else:
                for field, value in fields.items():
                    setattr(station, field, value)
                to_update.append(station)
        Station.objects.bulk_create(to_create)
        Station.objects.bulk_update(
            to_update, ["name", "county", "latitude", "longitude", "staff_count", "active"]
        )
    return StationImportResult(company, len(to_create), len(to_update), new_counties)
