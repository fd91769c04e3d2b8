"""Check a stations CSV (code,name,county,latitude,longitude,staff_count[,active])."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stations.codes import is_station_code
from stations.models import County, Station
from tabular.defects import Defect, FileRejected
from tabular.numbers import parse_number
from tabular.reading import Table, cell_text, header_defects

REQUIRED_COLUMNS = ("code", "name", "county", "latitude", "longitude", "staff_count")
#: The longest text each column may hold: the model fields' own limits.
MAX_LENGTHS = {
    "code": Station._meta.get_field("code").max_length,
    "name": Station._meta.get_field("name").max_length,
    "county": County._meta.get_field("name").max_length,
}
TRUE_WORDS = {"1", "true", "yes", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "否"}


@dataclass(frozen=True)
class StationRecord:
    code: str
    name: str
    county: str
    latitude: float
    longitude: float
    staff_count: int
    active: bool
    line: int


def parse_station_table(
    table: Table, file_name: str, *, foreign_codes: frozenset[str] = frozenset()
) -> list[StationRecord]:
    """Every row checked; raises FileRejected listing all defects.

    ``foreign_codes``: station codes that already belong to another company.
    """
    defects = header_defects(table, REQUIRED_COLUMNS)
    if defects:
        raise FileRejected(file_name, defects)
    position = {name: index for index, name in enumerate(table.header)}
    records: list[StationRecord] = []
    first_line: dict[str, int] = {}

    for line, cells in table.rows:

        def text(column: str, cells=cells) -> str:
            index = position.get(column)
            return cell_text(cells[index]) if index is not None and index < len(cells) else ""

        def problem(code: str, message: str, column: str, line=line) -> None:
            defects.append(Defect(code, message, line=line, column=column))

        code, name, county = text("code"), text("name"), text("county")
        for column, value in (("code", code), ("name", name), ("county", county)):
            if not value:
                problem("empty_value", _("the %s is empty") % column, column)
            elif len(value) > MAX_LENGTHS[column]:
                problem(
                    "too_long",
                    _("the %(column)s has %(length)d characters, more than %(limit)d")
                    % {"column": column, "length": len(value), "limit": MAX_LENGTHS[column]},
                    column,
                )
        if code and not is_station_code(code):
            problem(
                "bad_station_code",
                _(
                    "%r is not a station code: use letters (A–Z, a–z) and digits, then also "
                    "“.”, “-” and “_”"
                )
                % code,
                "code",
            )
        if code in first_line:
            problem(
                "duplicate_station",
                _("station %(code)s was already given on line %(line)d")
                % {"code": code, "line": first_line[code]},
                "code",
            )
        elif code:
            first_line[code] = line
        if code in foreign_codes:
            problem("foreign_station", _("station %s belongs to another company") % code, "code")

        coordinates = {}
        for column, limit in (("latitude", 90.0), ("longitude", 180.0)):
            number = parse_number(text(column)) if text(column) else None
            if number is None:
                problem("not_a_number", _("%r is not a number") % text(column), column)
            elif not -limit <= number <= limit:
                problem(
                    "out_of_range",
                    _("%(value)s is outside −%(limit)g to %(limit)g")
                    % {"value": text(column), "limit": limit},
                    column,
                )
            else:
                coordinates[column] = number

        staff = parse_number(text("staff_count")) if text("staff_count") else None
        if staff is None or staff < 0 or not float(staff).is_integer():
            problem(
                "not_a_count",
                _("%r is not a staff count (a whole number, 0 or more)") % text("staff_count"),
                "staff_count",
            )

        active_text = text("active").lower() if "active" in position else ""
        if active_text and active_text not in TRUE_WORDS | FALSE_WORDS:
            problem("bad_flag", _("%r is not yes/no") % text("active"), "active")

        if code and name and county and len(coordinates) == 2 and staff is not None:
            records.append(
                StationRecord(
                    code=code,
                    name=name,
                    county=county,
                    latitude=coordinates["latitude"],
                    longitude=coordinates["longitude"],
                    staff_count=int(staff),
                    active=active_text not in FALSE_WORDS,
                    line=line,
                )
            )
    if defects:
        raise FileRejected(file_name, defects)
    return records
