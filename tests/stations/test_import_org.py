"""import_org: the organisation file (code,name,parent_code) builds the tree above the
companies, all or nothing, every defect listed by line like the other imports."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from audit.models import Action, AuditEntry
from stations.models import Company, OrgUnit
from stations.orgtree import companies_under, company_path
from tests.factories import CompanyFactory, CountyFactory, StationFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,parent_code\n"
ZHEJIANG = HEADER + "ZJ,浙江,\nNB,宁波供电公司,ZJ\nSX,绍兴供电公司,ZJ\n"


def company(name: str, code: str | None) -> Company:
    made = CompanyFactory(name=name)
    made.code = code
    made.save()
    return made


@pytest.fixture
def two_cities():
    return company("宁波供电公司", "NB"), company("绍兴供电公司", "SX")


def load(write_file, body: str, name: str = "org.csv") -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_org", str(write_file(name, body)), stdout=out)
    return out.getvalue()


def rejection(write_file, body: str) -> str:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_org", str(write_file("org.csv", body)), stdout=io.StringIO())
    return str(caught.value)


def tree() -> dict[str, str | None]:
    """Every unit's and company's parent, by code: what the file can change."""
    units = {unit.code: unit.parent.code if unit.parent else None for unit in OrgUnit.objects.all()}
    companies = {
        c.code: c.parent.code if c.parent else None
        for c in Company.objects.exclude(code=None).select_related("parent")
    }
    return {**units, **companies}


ORG_ACTIONS = [
    Action.ORG_IMPORTED,
    Action.ORG_UNIT_CREATED,
    Action.ORG_UNIT_CHANGED,
    Action.COMPANY_CHANGED,
]


def entries() -> list[tuple[str, str]]:
    org = AuditEntry.objects.filter(action__in=ORG_ACTIONS)
    return list(org.order_by("id").values_list("action", "target_repr"))


def test_a_file_builds_the_province_and_places_its_companies(write_file, two_cities):
    ningbo, shaoxing = two_cities
    out = load(write_file, ZHEJIANG)
    assert "1 units created, 0 changed, 2 companies moved, 0 rows unchanged." in out
    zhejiang = OrgUnit.objects.get(code="ZJ")
    assert (zhejiang.name, zhejiang.parent) == ("浙江", None)
    assert [unit.code for unit in company_path(Company.objects.get(code="NB"))] == ["ZJ"]
    assert {c.name for c in companies_under(zhejiang.pk)} == {ningbo.name, shaoxing.name}


def test_loading_the_same_file_again_changes_nothing(write_file, two_cities):
    load(write_file, ZHEJIANG)
    before, recorded = tree(), len(entries())
    out = load(write_file, ZHEJIANG)
    assert "0 units created, 0 changed, 0 companies moved, 3 rows unchanged." in out
    assert tree() == before
    # only the file itself is recorded again
    assert [a for a, _target in entries()[recorded:]] == [Action.ORG_IMPORTED]


def test_units_nest_in_any_order_and_a_later_file_moves_and_renames(write_file, two_cities):
    # the child row comes before its parent's
    load(
        write_file,
        HEADER + "NB,宁波供电公司,EAST\nEAST,华东分部,SGCC\nSGCC,国家电网,\nZJ,浙江,EAST\n",
    )
    assert tree() == {"SGCC": None, "EAST": "SGCC", "ZJ": "EAST", "NB": "EAST", "SX": None}
    out = load(write_file, HEADER + "ZJ,浙江省电力,SGCC\nNB,宁波供电公司,ZJ\n")
    assert "0 units created, 1 changed, 1 companies moved, 0 rows unchanged." in out
    assert tree() == {"SGCC": None, "EAST": "SGCC", "ZJ": "SGCC", "NB": "ZJ", "SX": None}
    assert OrgUnit.objects.get(code="ZJ").name == "浙江省电力"


def test_an_xlsx_file_is_read_like_the_csv(write_file, two_cities, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in (
        ["code", "name", "parent_code"],
        ["ZJ", "浙江", None],
        ["NB", "宁波供电公司", "ZJ"],
    ):
        sheet.append(row)
    path = tmp_path / "org.xlsx"
    book.save(path)
    with translation.override("en"):
        call_command("import_org", str(path), stdout=io.StringIO())
    assert tree() == {"ZJ": None, "NB": "ZJ", "SX": None}


def test_every_unit_created_changed_and_company_moved_is_audited(write_file, two_cities):
    codes_given = entries()
    assert codes_given == [("company.changed", "宁波供电公司"), ("company.changed", "绍兴供电公司")]
    load(write_file, HEADER + "ZJ,浙江,\nNB,宁波供电公司,ZJ\n")
    load(write_file, HEADER + "ZJ,浙江省,\nSX,绍兴供电公司,ZJ\n", name="second.csv")
    assert entries()[2:] == [
        ("org_unit.created", "浙江"),
        ("company.changed", "宁波供电公司"),
        ("org.imported", "浙江"),
        ("org_unit.changed", "浙江省"),
        ("company.changed", "绍兴供电公司"),
        ("org.imported", "浙江省"),
    ]
    given, _sx, moved, _sx_moved = AuditEntry.objects.filter(
        action=Action.COMPANY_CHANGED
    ).order_by("id")
    assert (given.before, given.after) == ({"code": None}, {"code": "NB"})
    assert (moved.before, moved.after) == ({"parent": None}, {"parent": "浙江"})
    renamed = AuditEntry.objects.get(action=Action.ORG_UNIT_CHANGED)
    assert (renamed.before, renamed.after) == ({"name": "浙江"}, {"name": "浙江省"})
    last = AuditEntry.objects.filter(action=Action.ORG_IMPORTED).order_by("id").last()
    assert last.after["file_name"] == "second.csv" and last.actor_name == ""
    assert (last.after["changed"], last.after["companies_moved"]) == (1, 1)


# --- Defects: each listed on its line, and nothing written --------------------------------


@pytest.fixture
def stored(write_file, two_cities):
    """A tree already there: 浙江 with 宁波 under it. Defects must leave it as it is."""
    load(write_file, HEADER + "ZJ,浙江,\nNB,宁波供电公司,ZJ\n")


def refused(write_file, stored, body: str) -> str:
    before, recorded = tree(), AuditEntry.objects.count()
    message = rejection(write_file, body)
    assert tree() == before, "nothing was written"
    assert AuditEntry.objects.count() == recorded, "nothing was recorded"
    assert "org.csv was rejected, nothing was written" in message
    return message


def test_empty_codes_and_names_are_refused(write_file, stored):
    message = refused(write_file, stored, HEADER + ",华东,\nEAST,,\nHZ,杭州,ZJ\n")
    assert "line 2, column code: the code is empty" in message
    assert "line 3, column name: the name is empty" in message
    assert "line 4" not in message  # the good row is not blamed, but not written either
    assert not OrgUnit.objects.filter(code="HZ").exists()


def test_codes_with_other_characters_than_a_station_codes_are_refused(write_file, stored):
    message = refused(write_file, stored, HEADER + "Z J,浙江,\n华东,华东,\nEAST/1,华东,\n")
    assert "line 2, column code: 'Z J' is not an organisation code" in message
    assert "line 3, column code: '华东' is not an organisation code" in message
    assert "line 4, column code: 'EAST/1' is not an organisation code" in message


def test_too_long_texts_are_refused(write_file, stored):
    message = refused(write_file, stored, HEADER + f"{'C' * 33},{'名' * 101},\n")
    assert "line 2, column code: the code has 33 characters, more than 32" in message
    assert "line 2, column name: the name has 101 characters, more than 100" in message


def test_a_code_given_twice_is_refused_on_its_second_line(write_file, stored):
    message = refused(write_file, stored, HEADER + "EAST,华东,\nHZ,杭州,EAST\nEAST,华东分部,\n")
    assert "line 4, column code: EAST was already given on line 2" in message


def test_an_unknown_parent_is_refused(write_file, stored):
    message = refused(write_file, stored, HEADER + "HZ,杭州,ZJX\nSX,绍兴供电公司,NOPE\n")
    assert (
        "line 2, column parent_code: ZJX is neither a row of this file nor a stored unit" in message
    )
    assert "line 3, column parent_code: NOPE is neither a row" in message


def test_the_child_of_a_row_with_its_own_defect_is_not_told_its_parent_is_unknown(
    write_file, stored
):
    message = refused(write_file, stored, HEADER + "EAST,,\nZJ,浙江,EAST\n")
    assert "line 2, column name: the name is empty" in message
    assert "line 3" not in message


def test_a_circle_in_the_file_is_refused_naming_its_lines(write_file, stored):
    body = HEADER + "A,甲,C\nOK,好,\nB,乙,A\nC,丙,B\n"
    message = refused(write_file, stored, body)
    assert (
        "line 2, column parent_code: the parents go round in a circle, A → C → B → A "
        "(line 2, line 4, line 5)" in message
    )
    assert "line 3" not in message


def test_a_unit_under_itself_is_a_circle(write_file, stored):
    message = refused(write_file, stored, HEADER + "EAST,华东,EAST\n")
    assert "line 2, column parent_code: the parents go round in a circle, EAST → EAST" in message


def test_a_circle_through_the_stored_tree_is_refused(write_file, stored):
    # 杭州 is stored under 浙江; the file puts 浙江 under 杭州
    load(write_file, HEADER + "HZ,杭州,ZJ\n", name="hz.csv")
    message = refused(write_file, stored, HEADER + "ZJ,浙江,HZ\n")
    assert "line 2, column parent_code: the parents go round in a circle, ZJ → HZ → ZJ" in message


def test_nothing_goes_under_a_company(write_file, stored):
    message = refused(write_file, stored, HEADER + "YZ,余姚,NB\n")
    assert (
        "line 2, column parent_code: NB is the company “宁波供电公司”: a unit or a company "
        "goes under a unit, never under a company" in message
    )


def test_a_stations_code_is_not_a_units_code(write_file, stored):
    StationFactory(code="33020301", name="石碶供电所")
    message = refused(write_file, stored, HEADER + "33020301,石碶,ZJ\n")
    assert "line 2, column code: 33020301 is a station's code" in message


def test_a_company_row_keeps_the_companys_name(write_file, stored):
    message = refused(write_file, stored, HEADER + "SX,绍兴,ZJ\n")
    assert (
        "line 2, column name: SX is the company “绍兴供电公司”: write its name as stored" in message
    )


def test_a_company_named_by_its_name_instead_of_its_code_is_refused(write_file, stored):
    company("湖州供电公司", None)
    message = refused(write_file, stored, HEADER + "SXX,绍兴供电公司,ZJ\nHUZ,湖州供电公司,ZJ\n")
    assert "line 2, column code: “绍兴供电公司” is a company; its row needs its code, SX" in message
    assert "line 3, column code: “湖州供电公司” is a company without a code" in message
    assert not OrgUnit.objects.filter(code__in=["SXX", "HUZ"]).exists()


def test_a_missing_column_is_refused(write_file, stored):
    message = refused(write_file, stored, "code,name\nZJ,浙江\n")
    assert "line 1, column parent_code: the column 'parent_code' is missing" in message


def test_a_company_with_stations_moves_with_its_stations(write_file, stored):
    """Placing a company moves the grading unit only: its counties and stations stay its
    own."""
    shaoxing = Company.objects.get(code="SX")
    station = StationFactory(county=CountyFactory(company=shaoxing))
    load(write_file, HEADER + "SX,绍兴供电公司,ZJ\n")
    station.refresh_from_db()
    assert station.county.company == shaoxing
    assert [unit.code for unit in company_path(Company.objects.get(code="SX"))] == ["ZJ"]


def test_the_documented_example_builds_the_documented_tree(two_cities):
    """docs/organisation.md: docs/examples/organisation.csv, loaded after 宁波 and 绍兴
    were given their codes."""
    with translation.override("en"):
        call_command("import_org", "docs/examples/organisation.csv", stdout=io.StringIO())
    assert tree() == {"SGCC-EC": None, "ZJ": "SGCC-EC", "NB": "ZJ", "SX": "ZJ"}
