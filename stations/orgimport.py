"""The organisation file: ``code,name,parent_code`` (CSV or XLSX), read by ``import_org``.

A row whose code is a company's code puts that company (a grading unit) under
``parent_code``; every other row creates or updates a unit (``OrgUnit``). An empty
``parent_code`` is the top of the tree. Units and companies the file does not name keep
their place. The file is checked whole against the tree as stored (``stations.orgrules``)
and written all or nothing; loading the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from stations.codes import is_org_code
from stations.models import Company, OrgUnit, Station
from stations.orgrules import bad_code_message, circle_text, find_cycles, stored_unit_parents
from tabular.defects import Defect, FileRejected, other_line
from tabular.reading import (
    Table,
    cell_text,
    file_sha256,
    header_defects,
    limits_from_settings,
    read_table,
)

REQUIRED_COLUMNS = ("code", "name", "parent_code")


def _max_length(field_name: str) -> int:
    return OrgUnit._meta.get_field(field_name).max_length or 0  # type: ignore[union-attr]


#: The longest text each column may hold: the unit's fields' own limits.
MAX_LENGTHS = {
    "code": _max_length("code"),
    "name": _max_length("name"),
    "parent_code": _max_length("code"),
}


@dataclass(frozen=True)
class OrgRow:
    code: str
    name: str
    parent_code: str | None
    line: int
    is_company: bool


@dataclass(frozen=True)
class StoredTree:
    """What the file is checked against: the tree as stored."""

    unit_parents: dict[str, str | None]  # unit code → parent unit code
    companies: dict[str, str]  # company code → company name
    company_codes_by_name: dict[str, str | None]  # company name → its code (None: none yet)
    station_codes: frozenset[str]  # the stations whose codes the file uses

    @classmethod
    def read(cls, codes: set[str]) -> StoredTree:
        return cls(
            unit_parents=stored_unit_parents(),
            companies={
                code: name for code, name in Company.objects.values_list("code", "name") if code
            },
            company_codes_by_name={
                name: code for name, code in Company.objects.values_list("name", "code")
            },
            station_codes=frozenset(
                Station.objects.filter(code__in=codes).values_list("code", flat=True)
            ),
        )


def parse_org_table(table: Table, file_name: str, stored: StoredTree) -> list[OrgRow]:
    """Every row checked against the others and the stored tree; raises FileRejected
    listing every defect."""
    defects = header_defects(table, REQUIRED_COLUMNS)
    if defects:
        raise FileRejected(file_name, defects)
    position = {name: index for index, name in enumerate(table.header)}
    rows: list[OrgRow] = []
    first_line: dict[str, int] = {}

    for line, cells in table.rows:

        def text(column: str, cells=cells) -> str:
            index = position[column]
            return cell_text(cells[index]) if index < len(cells) else ""

        def problem(code: str, message: str, column: str, line=line) -> None:
            defects.append(Defect(code, message, line=line, column=column))

        code, name, parent = text("code"), text("name"), text("parent_code")
        for column, value in (("code", code), ("name", name), ("parent_code", parent)):
            if not value and column != "parent_code":
                problem("empty_value", _("the %s is empty") % column, column)
            elif len(value) > MAX_LENGTHS[column]:
                problem(
                    "too_long",
                    _("the %(column)s has %(length)d characters, more than %(limit)d")
                    % {"column": column, "length": len(value), "limit": MAX_LENGTHS[column]},
                    column,
                )
        if code and not is_org_code(code):
            problem("bad_org_code", bad_code_message(code), "code")
        if code in first_line:
            problem(
                "duplicate_code",
                _("%(code)s was already given on %(line)s")
                % {"code": code, "line": other_line(first_line[code])},
                "code",
            )
            continue
        if code:
            first_line[code] = line
        if code in stored.station_codes:
            problem(
                "station_code",
                _("%s is a station's code; a unit or a company needs a code of its own") % code,
                "code",
            )
        is_company = code in stored.companies
        if is_company and name and name != stored.companies[code]:
            problem(
                "company_name",
                _(
                    "%(code)s is the company “%(stored)s”: write its name as stored "
                    "(a company is renamed in the admin, not by this file)"
                )
                % {"code": code, "stored": stored.companies[code]},
                "name",
            )
        elif not is_company and name in stored.company_codes_by_name:
            company_code = stored.company_codes_by_name[name]
            problem(
                "company_without_its_code",
                _("“%(name)s” is a company; its row needs its code, %(code)s")
                % {"name": name, "code": company_code}
                if company_code
                else _(
                    "“%s” is a company without a code: give it one in the admin, then use "
                    "that code on this row"
                )
                % name,
                "code",
            )
        if code and name:
            rows.append(OrgRow(code, name, parent or None, line, is_company))

    defects += _tree_defects(rows, stored, given=set(first_line))
    if defects:
        raise FileRejected(file_name, defects)
    return rows


def _tree_defects(rows: list[OrgRow], stored: StoredTree, *, given: set[str]) -> list[Defect]:
    """Parents that do not exist or are companies, and circles, with the file as it
    would leave the tree. ``given``: every code of the file, also those of rows with
    defects of their own (their children are not told their parent is unknown)."""
    defects: list[Defect] = []
    in_file = {row.code: row for row in rows}
    company_codes = set(stored.companies)
    for row in rows:
        parent = row.parent_code
        if parent is None:
            continue
        if parent in company_codes:
            defects.append(
                Defect(
                    "parent_is_company",
                    _(
                        "%(parent)s is the company “%(name)s”: a unit or a company goes "
                        "under a unit, never under a company"
                    )
                    % {"parent": parent, "name": stored.companies[parent]},
                    line=row.line,
                    column="parent_code",
                )
            )
        elif parent not in given and parent not in stored.unit_parents:
            defects.append(
                Defect(
                    "unknown_parent",
                    _("%s is neither a row of this file nor a stored unit") % parent,
                    line=row.line,
                    column="parent_code",
                )
            )
    parents = {
        **stored.unit_parents,
        **{row.code: row.parent_code for row in rows if not row.is_company},
    }
    # The file's rows first, so that a circle is named from its first line.
    ordered = {row.code: parents[row.code] for row in rows if not row.is_company}
    ordered.update(parents)
    for cycle in find_cycles(ordered):
        lines = sorted(in_file[code].line for code in cycle if code in in_file)
        defects.append(
            Defect(
                "cycle",
                _("the parents go round in a circle, %(circle)s (%(lines)s)")
                % {
                    "circle": circle_text(cycle),
                    "lines": ", ".join(other_line(line) for line in lines),
                },
                line=lines[0] if lines else None,
                column="parent_code",
            )
        )
    return defects


@dataclass
class OrgImportResult:
    created: list[str] = field(default_factory=list)  # unit codes
    changed: list[str] = field(default_factory=list)  # unit codes (name or parent)
    moved_companies: list[str] = field(default_factory=list)  # company codes
    unchanged: int = 0


def _parents_first(rows: list[OrgRow]) -> list[OrgRow]:
    """The unit rows, each after its parent's row (the file has no circles)."""
    by_code = {row.code: row for row in rows if not row.is_company}
    done: set[str] = set()
    ordered: list[OrgRow] = []
    for row in by_code.values():
        chain = []
        current: OrgRow | None = row
        while current is not None and current.code not in done:
            chain.append(current)
            done.add(current.code)
            current = by_code.get(current.parent_code) if current.parent_code else None
        ordered.extend(reversed(chain))
    return ordered


def import_org(path: Path | str, *, user=None) -> OrgImportResult:
    """Load an organisation file. All or nothing: raises FileRejected, writing nothing.

    Each unit created or changed and each company moved is recorded in the audit trail
    like a change in the admin, and the file once with its counts (``user``: who loaded
    it; without one, the request's user or "system / command line")."""
    path = Path(path)
    table = read_table(path, limits_from_settings())
    code_index = table.header.index("code") if "code" in table.header else 0
    codes = {cell_text(cells[code_index]) for _line, cells in table.rows if code_index < len(cells)}
    result = OrgImportResult()
    with transaction.atomic():
        # One import (or admin change of the tree) at a time: the circles are checked
        # against the tree as it stays until this one commits.
        list(OrgUnit.objects.select_for_update().order_by("pk").values_list("pk"))
        list(Company.objects.select_for_update().order_by("pk").values_list("pk"))
        rows = parse_org_table(table, path.name, StoredTree.read(codes))
        units = {unit.code: unit for unit in OrgUnit.objects.all()}
        for row in _parents_first(rows):
            parent = units[row.parent_code] if row.parent_code else None
            unit = units.get(row.code)
            if unit is None:
                units[row.code] = OrgUnit.objects.create(
                    code=row.code, name=row.name, parent=parent
                )
                result.created.append(row.code)
            elif unit.name != row.name or unit.parent_id != (parent.pk if parent else None):
                unit.name, unit.parent = row.name, parent
                unit.save(update_fields=["name", "parent"])
                result.changed.append(row.code)
            else:
                result.unchanged += 1
        companies = Company.objects.in_bulk(
            [row.code for row in rows if row.is_company], field_name="code"
        )
        for row in rows:
            if not row.is_company:
                continue
            company = companies[row.code]
            parent = units[row.parent_code] if row.parent_code else None
            if company.parent_id != (parent.pk if parent else None):
                company.parent = parent
                company.save(update_fields=["parent"])
                result.moved_companies.append(row.code)
            else:
                result.unchanged += 1
        _record_file(path, rows, result, units, companies, user)
    return result


def _record_file(path, rows, result, units, companies, user) -> None:
    first = rows[0]
    target = companies[first.code] if first.is_company else units[first.code]
    record(
        Action.ORG_IMPORTED,
        target,
        after={
            "file_name": path.name,
            "file_sha256": file_sha256(path),
            "rows": len(rows),
            "created": len(result.created),
            "changed": len(result.changed),
            "companies_moved": len(result.moved_companies),
            "unchanged": result.unchanged,
        },
        actor=user,
    )
