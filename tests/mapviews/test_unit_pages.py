"""A unit's page (issue 18): children compared by grade shares, breadcrumbs on every level,
who may open it, and a cost that does not grow with the companies below."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mapviews import units
from scoring.engine import LEAGUE_TABLE
from scoring.engine.grades import GRADE_ORDER, RED
from scoring.models import RunGradeCount, RunStatus, ScoreRun, StationScore
from stations.models import OrgMember, OrgUnit
from tests.factories import (
    SEPTEMBER,
    CompanyFactory,
    CountyFactory,
    MonthCloseFactory,
    ScoreRunFactory,
    StationFactory,
    UserFactory,
)
from tests.mapviews.months import score_month


def _company(name: str, parent: OrgUnit, values: list[float], method=LEAGUE_TABLE):
    company = CompanyFactory(name=name, method=method)
    company.parent = parent
    company.code = name.upper()
    company.save()
    county = CountyFactory(company=company, name=f"{name} county")
    stations = [StationFactory(county=county, name=f"{name} station {n}") for n in values]
    score_month(stations, SEPTEMBER, values)
    return company


def _grades(company) -> Counter:
    """The company's September grades, counted from its published scores."""
    return Counter(
        StationScore.objects.filter(
            run__company=company, run__is_current=True, run__period=SEPTEMBER
        ).values_list("grade", flat=True)
    )


@pytest.fixture
def tree(db):
    """浙江 (under 国网) with 宁波 (a unit of two companies graded by different methods)
    and 绍兴 (a company)."""
    group = OrgUnit.objects.create(code="SGCC", name="国网")
    province = OrgUnit.objects.create(code="ZJ", name="浙江", parent=group)
    ningbo = OrgUnit.objects.create(code="NB", name="宁波", parent=province)
    league = _company("Yinzhou", ningbo, [10, 20, 30, 40, 50])
    absolute = _company("Fenghua", ningbo, [30, 60, 90], method=None)
    shaoxing = _company("Shaoxing", province, [10, 20, 30])
    return {
        "group": group,
        "province": province,
        "ningbo": ningbo,
        "league": league,
        "absolute": absolute,
        "shaoxing": shaoxing,
    }


@pytest.mark.django_db
def test_each_child_gets_the_grade_shares_of_every_company_below_it(tree):
    found = units.child_shares(units.unit_tree(tree["province"]), SEPTEMBER, [SEPTEMBER])
    by_name = {row.child.name: row for row in found}
    assert set(by_name) == {"宁波", "Shaoxing"}

    expected = _grades(tree["league"]) + _grades(tree["absolute"])  # two methods, summed
    ningbo = by_name["宁波"]
    assert {g: ningbo.counts[g] for g in GRADE_ORDER} == {g: expected[g] for g in GRADE_ORDER}
    graded = sum(expected[g] for g in GRADE_ORDER)
    assert ningbo.graded == graded == 8
    assert ningbo.red_share == pytest.approx(expected[RED] / graded)
    assert ningbo.companies_graded == 2
    assert ningbo.red_history == {SEPTEMBER: pytest.approx(expected[RED] / graded)}
    # 绍兴 (league table, 3 stations: yellow, blue, red): a third red.
    shaoxing = by_name["Shaoxing"]
    assert shaoxing.counts["red"] == shaoxing.counts["blue"] == shaoxing.counts["yellow"] == 1
    assert shaoxing.red_share == pytest.approx(1 / 3)
    # Highest share of red first.
    shares = [row.red_share for row in found]
    assert shares == sorted(shares, reverse=True)


@pytest.mark.django_db
def test_different_methods_are_told_and_alike_ones_are_not(tree):
    mixed = units.method_mix([tree["league"].pk, tree["absolute"].pk], SEPTEMBER)
    alike = units.method_mix([tree["league"].pk, tree["shaoxing"].pk], SEPTEMBER)
    assert mixed.methods == 2 and mixed.mixed
    assert alike.methods == 1 and not alike.mixed


def _page(client, unit_code: str, **query) -> str:
    response = client.get(reverse("mapviews:unit", args=[unit_code]), query)
    assert response.status_code == 200
    return response.content.decode()


def _crumbs(page: str) -> list[tuple[str, str]]:
    """(text, link or "") of each breadcrumb."""
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S)
    assert nav, "no breadcrumbs"
    items = re.findall(r"<li>(.*?)</li>", nav.group(0), re.S)
    found = []
    for item in items:
        link = re.search(r'href="([^"]+)"', item)
        text = re.sub(r"<[^>]+>", "", item).strip()
        found.append((text, link.group(1).replace("&amp;", "&") if link else ""))
    return found


def _member(unit: OrgUnit):
    user = UserFactory()
    OrgMember.objects.create(user=user, unit=unit)
    return user


@pytest.mark.django_db
def test_a_province_member_sees_its_children_by_shares_with_breadcrumbs(client, tree):
    client.force_login(_member(tree["province"]))
    client.cookies["django_language"] = "en"
    page = _page(client, "ZJ")
    # The group above the province is named, not linked: it is not theirs to open.
    assert _crumbs(page) == [("国网", ""), ("浙江", "")]
    assert 'aria-current="page">浙江<' in page
    # Each child links to its page: a unit's page, a company's map, at the month shown.
    assert f'href="{reverse("mapviews:unit", args=["NB"])}?period=2026-09"' in page
    assert f"?company={tree['shaoxing'].pk}&amp;period=2026-09" in page
    assert "These companies grade with different methods or weights." in page
    assert "compared by the share of each grade" in page
    # The table: 宁波's shares, highest share of red first.
    table = page.split('class="unit-shares"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', table)
    shares = units.child_shares(units.unit_tree(tree["province"]), SEPTEMBER, [SEPTEMBER])
    assert names == [row.child.name for row in shares]  # highest share of red first
    assert "33%" in table  # 绍兴: one of three red
    # One level down: the province is now a link.
    page = _page(client, "NB")
    assert _crumbs(page) == [
        ("国网", ""),
        ("浙江", reverse("mapviews:unit", args=["ZJ"])),
        ("宁波", ""),
    ]
    assert "Yinzhou" in page and "Fenghua" in page


@pytest.mark.django_db
def test_provisional_grades_are_marked(client, tree):
    MonthCloseFactory(company=tree["shaoxing"], period=SEPTEMBER)
    client.force_login(_member(tree["province"]))
    client.cookies["django_language"] = "en"
    page = _page(client, "ZJ")
    row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Shaoxing</a>(.*?)</tr>", page, re.S)
    assert row and "Provisional" in row.group(1)
    ningbo = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>宁波</a>(.*?)</tr>", page, re.S)
    assert ningbo and "Provisional" not in ningbo.group(1)


@pytest.mark.django_db
def test_outsiders_and_lower_members_get_404(client, tree):
    url = reverse("mapviews:unit", args=["ZJ"])
    client.force_login(UserFactory())  # placed nowhere: told so (stations.scope)
    assert client.get(url).status_code == 403
    from tests.factories import user_with_role

    client.force_login(user_with_role("party_committee", company=tree["shaoxing"]))
    assert client.get(url).status_code == 404  # a city's committee: not the province's page
    client.force_login(_member(tree["ningbo"]))  # a unit below the province
    assert client.get(url).status_code == 404
    assert client.get(reverse("mapviews:unit", args=["NB"])).status_code == 200
    assert client.get(reverse("mapviews:unit", args=["NOPE"])).status_code == 404


@pytest.mark.django_db
def test_the_company_map_and_a_station_carry_the_trail(client, tree):
    superuser = get_user_model().objects.create_superuser("root", password="x-long-password")
    client.force_login(superuser)
    shaoxing = tree["shaoxing"]
    score = StationScore.objects.filter(run__company=shaoxing).select_related("station__county")
    found = score.first().station
    response = client.get(reverse("mapviews:station", args=[found.code]))
    page = response.content.decode()
    company_url = f"{reverse('mapviews:map')}?company={shaoxing.pk}"
    assert _crumbs(page) == [
        ("国网", reverse("mapviews:unit", args=["SGCC"])),
        ("浙江", reverse("mapviews:unit", args=["ZJ"])),
        ("Shaoxing", company_url),
        ("Shaoxing county", f"{company_url}&county={found.county_id}"),
        (found.name, ""),
    ]
    # The header links the superuser to the top unit.
    header = page.split("</header>")[0]
    assert f'href="{reverse("mapviews:unit", args=["SGCC"])}"' in header


def _scored_companies(parent: OrgUnit, count: int, method_params=None) -> None:
    """``count`` companies under ``parent``, each with a published September of stored
    grade counts (no station scored: the page reads only the counts)."""
    for n in range(count):
        company = CompanyFactory(name=f"{parent.code} company {n}")
        company.parent = parent
        company.save()
        run = ScoreRunFactory(
            company=company, status=RunStatus.DONE, is_current=True, method_params={"n": n % 2}
        )
        RunGradeCount.objects.bulk_create(
            RunGradeCount(run=run, grade=grade, stations=n + k)
            for k, grade in enumerate(GRADE_ORDER)
        )


@pytest.mark.django_db
def test_the_unit_page_costs_the_same_queries_for_2_or_20_companies(client, settings):
    settings.PAGE_BODY_SECONDS = 0  # every request builds the page
    small = OrgUnit.objects.create(code="SMALL", name="Small")
    large = OrgUnit.objects.create(code="LARGE", name="Large")
    _scored_companies(small, 2)
    _scored_companies(large, 20)
    superuser = get_user_model().objects.create_superuser("root", password="x-long-password")
    client.force_login(superuser)
    counts = []
    for code in ("SMALL", "LARGE"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page = _page(client, code)
        counts.append(len(queries))
        assert ScoreRun.objects.filter(company__parent__code=code).count() == (
            2 if code == "SMALL" else 20
        )
        assert "company 1" in page
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts


@pytest.mark.django_db
def test_a_month_without_grades_and_a_bad_month(client, tree):
    superuser = get_user_model().objects.create_superuser("root", password="x-long-password")
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    url = reverse("mapviews:unit", args=["ZJ"])
    assert client.get(url, {"period": "2026-13"}).status_code == 400
    page = _page(client, "ZJ", period="2030-01")
    assert "No company under this unit has published grades for 2030-01." in page
