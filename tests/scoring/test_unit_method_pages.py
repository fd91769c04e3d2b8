"""A unit's common method from the web: its administrators publish weights, grading rules
and targets that the companies below inherit (the same forms, preview and checks as a
company's), and a company's administrator switches between its own method and the
common one."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from indicators.models import Indicator
from scoring.engine import ScoringMethod
from scoring.engine.grades import GRADE_ORDER
from scoring.models import MethodOverride, MethodVersion, RunTrigger, ScoreRun, WeightSet
from scoring.services import publish_unit_weights
from stations.models import OrgUnit
from tests.factories import UserFactory, user_with_role
from tests.scoring.test_unit_methods import OCTOBER, SEPTEMBER, make_province, safety_first


@pytest.fixture
def province(db):
    return make_province()


@pytest.fixture
def people(province):
    unit, (ningbo, _wenzhou, _taizhou) = province
    return {
        "superuser": UserFactory(is_superuser=True),
        "province_admin": user_with_role("admin", unit=unit),
        "province_viewer": user_with_role("party_committee", unit=unit),
        "city_admin": user_with_role("admin", company=ningbo),
        "unplaced": user_with_role("admin", placed=False),
    }


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"


def text(response) -> str:
    return html.unescape(response.content.decode())


def weight_fields(weights) -> dict:
    return {f"weight_{code}": str(value) for code, value in weights.items()}


def previewed(page: str) -> str:
    return re.search(r'name="previewed" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_a_province_admin_publishes_common_weights_and_the_inheriting_companies_regrade(
    client, province, people, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, taizhou) = province
    english(client, people["province_admin"])
    url = reverse("scoring:unit_weight_new", args=["ZJ"])
    form = text(client.get(url))
    # It starts from the month after the companies' latest, as a company's form does.
    assert 'name="effective_from" value="2026-11"' in form
    data = {
        "effective_from": "2026-10",
        "reason": "safety year",
        **weight_fields(safety_first()),
        "action": "preview",
    }
    page = text(client.post(url, data))
    # The preview: which companies and months saving re-grades, nothing saved yet.
    assert "Saving re-grades 2 months of 2 companies below." in page
    assert "2 of them are published: their new grades wait" in page
    assert "台州" not in page.split("Saving re-grades")[1].split("</table>")[0]  # its own method
    assert not WeightSet.objects.filter(unit=unit).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "action": "save", "previewed": previewed(page)})
    version = WeightSet.objects.get(unit=unit)
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:unit_weight_detail", args=["ZJ", 1])
    assert version.created_by == people["province_admin"] and version.reason == "safety year"
    detail = text(client.get(response["Location"]))
    assert "Saved 浙江省's common weight version 1, effective from 2026-10." in detail
    governed = detail.split("Companies it grades")[1].split("</table>")[0]
    assert "<td>宁波</td><td>2026-10</td>" in governed
    assert "<td>温州</td><td>2026-10</td>" in governed
    assert "台州" not in governed
    for company in (ningbo, wenzhou):
        run = ScoreRun.objects.get(company=company, weight_set=version)
        assert run.period == OCTOBER and run.trigger == RunTrigger.UNIT
    assert not ScoreRun.objects.filter(company=taizhou, weight_set=version).exists()
    # The versions list, and what 宁波's administrator reviews: the province's version.
    listing = text(client.get(reverse("scoring:unit_weights", args=["ZJ"])))
    assert 'href="/manage/units/ZJ/weights/1/">v1</a>' in listing and "safety year" in listing
    client.force_login(people["city_admin"])
    review = text(client.get(reverse("scoring:month_review", args=["2026-10"])))
    assert "weights v1 (浙江省), rules v1" in review
    client.cookies["django_language"] = "zh-hans"
    review = text(client.get(reverse("scoring:month_review", args=["2026-10"])))
    assert "权重 v1 (浙江省)" in review


@pytest.mark.django_db
def test_saving_needs_the_preview_of_exactly_these_values(client, province, people):
    unit, _companies = province
    english(client, people["province_admin"])
    url = reverse("scoring:unit_weight_new", args=["ZJ"])
    data = {"effective_from": "2026-10", "reason": "r", **weight_fields(safety_first())}
    page = text(client.post(url, {**data, "action": "preview"}))
    changed = {**data, "reason": "another", "action": "save", "previewed": previewed(page)}
    page = text(client.post(url, changed))
    assert "Check this preview before saving" in page
    assert not WeightSet.objects.filter(unit=unit).exists()


@pytest.mark.django_db
def test_the_unit_forms_refuse_bad_values_with_the_company_forms_messages(client, province, people):
    english(client, people["province_admin"])
    zero = dict.fromkeys(safety_first(), 0)
    page = text(
        client.post(
            reverse("scoring:unit_weight_new", args=["ZJ"]),
            {"effective_from": "2026-1x", "reason": "", **weight_fields(zero), "action": "save"},
        )
    )
    assert "2026-1x is not a month: write it as YYYY-MM" in page
    assert "Say why: the reason is kept with the version." in page
    page = text(
        client.post(
            reverse("scoring:unit_target_new", args=["ZJ"]),
            {"effective_from": "2026-10", "reason": "r", "floor_safety": "98", "action": "x"},
        )
    )
    assert "higher is better, so the target" in page or "This field is required." in page
    assert not MethodVersion.objects.filter(unit__code="ZJ").exists()


@pytest.mark.django_db
def test_common_targets_and_rules_from_the_web(
    client, province, people, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, taizhou) = province
    english(client, people["superuser"])
    url = reverse("scoring:unit_target_new", args=["ZJ"])
    form = text(client.get(url))
    fields = dict(re.findall(r'name="((?:floor|target)_[a-z_]+)"[^>]*value="([^"]*)"', form))
    assert fields["floor_safety"] == "60" and fields["target_safety"] == "98"  # seeded
    data = {**fields, "floor_safety": "50", "target_safety": "95"}
    data |= {"effective_from": "2026-09", "reason": "省计划"}
    page = text(client.post(url, {**data, "action": "preview"}))
    assert "Saving re-grades 4 months of 2 companies below." in page
    # Besides the version: 宁波 and 温州 are graded as a league table today; the common
    # targets bring the common (absolute) grading along, and targets for every indicator.
    changes = page.split("these companies' rules change:")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", changes)
    league = "relative (min-max); league table 20 / 20 / 20 / 20 / 20 %; coverage ≥ 80 %"
    assert [(name, grading) for name, grading, _targets in rows] == [
        ("宁波", league),
        ("温州", league),
    ]
    assert all(targets.count(" index") == 10 for _n, _g, targets in rows)
    assert "After saving: absolute (each indicator from floor to target)" in changes
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "action": "save", "previewed": previewed(page)})
    version = MethodVersion.objects.get(unit=unit)
    assert ScoringMethod.from_record(version.params).goalposts_for("safety") == (50.0, 95.0)
    assert ScoreRun.objects.filter(method_version=version, company=ningbo).count() == 2
    assert ScoreRun.objects.filter(method_version=version, company=wenzhou).count() == 2
    assert not ScoreRun.objects.filter(method_version=version, company=taizhou).exists()
    targets = text(client.get(reverse("scoring:unit_targets", args=["ZJ"])))
    assert "From 浙江省's common grading rules version 1, effective from 2026-09." in targets
    # New grading rules start from the common ones: thresholds, October on.
    url = reverse("scoring:unit_method_new", args=["ZJ"])
    rules = {"effective_from": "2026-10", "reason": "five quotas", "normalisation": "goalposts"}
    rules |= {"grading": "quotas", "coverage_min_pct": "80"}
    rules |= {f"quota_{grade}": "20" for grade in GRADE_ORDER}
    page = text(client.post(url, {**rules, "action": "preview"}))
    assert "form-errors" not in page, page
    # October's grading of both companies (the common thresholds) gives way to quotas;
    # the targets stay the common ones.
    changes = page.split("these companies' rules change:")[1].split("</table>")[0]
    assert "After saving: absolute (each indicator from floor to target); league table" in changes
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", changes)
    assert [(name, targets) for name, _grading, targets in rows] == [("宁波", "–"), ("温州", "–")]
    assert all(
        grading.startswith("absolute (each indicator from floor to target); score")
        for _n, grading, _t in rows
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**rules, "action": "save", "previewed": previewed(page)})
    assert response["Location"] == reverse("scoring:unit_method_detail", args=["ZJ", 2])
    newer = MethodVersion.objects.get(unit=unit, version=2)
    assert ScoringMethod.from_record(newer.params).goalposts_for("safety") == (50.0, 95.0)
    listing = text(client.get(reverse("scoring:unit_methods", args=["ZJ"])))
    assert "five quotas" in listing and "省计划" in listing


@pytest.mark.django_db
def test_the_overview_says_which_companies_inherit_and_which_use_their_own(
    client, province, people, django_capture_on_commit_callbacks
):
    unit, _companies = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=SEPTEMBER, reason="")
    english(client, people["province_viewer"])
    page = text(client.get(reverse("scoring:unit_method", args=["ZJ"])))
    row = page.split("<td>宁波</td>")[1].split("</tr>")[0]
    assert "inherits" in row and "浙江省's common v1 (from 2026-09)" in row
    row = page.split("<td>台州</td>")[1].split("</tr>")[0]
    assert "uses its own method" in row and "its own v1 (from 2000-01)" in row
    assert "instead of 浙江省's v1" in row
    # A viewer reads, and is offered no form.
    assert "New common weights" not in page
    listing = text(client.get(reverse("scoring:unit_weights", args=["ZJ"])))
    assert "v1" in listing and "New common weights" not in listing
    # The header's "Manage" menu marks the unit's method as the page shown.
    header = listing.split("</header>")[0]
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)', header)
    assert current == ["Common method of 浙江省"]
    # The unit's page and the header lead there.
    unit_page = text(client.get(reverse("mapviews:unit", args=["ZJ"])))
    assert reverse("scoring:unit_method", args=["ZJ"]) in unit_page
    assert "Common method of 浙江省" in unit_page


def _unit_urls(code: str) -> dict[str, str]:
    return {
        name: reverse(f"scoring:{name}", args=[code, *extra])
        for name, extra in (
            ("unit_method", []),
            ("unit_weights", []),
            ("unit_weight_new", []),
            ("unit_weight_detail", [1]),
            ("unit_methods", []),
            ("unit_method_new", []),
            ("unit_method_detail", [1]),
            ("unit_targets", []),
            ("unit_target_new", []),
        )
    }


FORMS = {"unit_weight_new", "unit_method_new", "unit_target_new"}


@pytest.mark.django_db
def test_who_may_open_a_units_method_pages(client, province, people):
    unit, _companies = province
    publish_unit_weights(
        unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="", recompute=False
    )
    from scoring.services import publish_unit_method

    publish_unit_method(
        unit=unit, method=ScoringMethod(), effective_from=OCTOBER, reason="", recompute=False
    )
    OrgUnit.objects.create(code="JS", name="江苏省")
    city = OrgUnit.objects.create(code="ZJ-NB", name="宁波片区", parent=unit)
    city_unit_admin = user_with_role("admin", unit=city)
    expected = {
        "superuser": {name: 200 for name in _unit_urls("ZJ")},
        "province_admin": {name: 200 for name in _unit_urls("ZJ")},
        "province_viewer": {name: 403 if name in FORMS else 200 for name in _unit_urls("ZJ")},
        "city_admin": {name: 404 for name in _unit_urls("ZJ")},
        "unplaced": {name: 404 for name in _unit_urls("ZJ")},
    }
    failures = []
    for who, statuses in expected.items():
        client.force_login(people[who])
        for name, url in _unit_urls("ZJ").items():
            status = client.get(url).status_code
            if status != statuses[name]:
                failures.append(f"{who} {name}: {status}, expected {statuses[name]}")
    # Another province's unit does not exist for the province's people.
    for who in ("province_admin", "province_viewer"):
        client.force_login(people[who])
        status = client.get(reverse("scoring:unit_method", args=["JS"])).status_code
        if status != 404:
            failures.append(f"{who} JS: {status}")
    # An administrator of a city unit publishes there, not at the province above it.
    client.force_login(city_unit_admin)
    for url, want in (
        (reverse("scoring:unit_weight_new", args=["ZJ-NB"]), 200),
        (reverse("scoring:unit_weight_new", args=["ZJ"]), 404),
    ):
        if (status := client.get(url).status_code) != want:
            failures.append(f"city unit admin {url}: {status}, expected {want}")
    assert failures == []


@pytest.mark.django_db
def test_a_viewer_posting_a_units_form_is_refused_and_nothing_is_saved(client, province, people):
    unit, _companies = province
    client.force_login(people["province_viewer"])
    data = {"effective_from": "2026-10", "reason": "r", **weight_fields(safety_first())}
    response = client.post(reverse("scoring:unit_weight_new", args=["ZJ"]), data)
    assert response.status_code == 403
    assert not WeightSet.objects.filter(unit=unit).exists()


@pytest.mark.django_db
def test_a_company_admin_switches_to_its_own_method_and_back_from_the_web(
    client, province, people, django_capture_on_commit_callbacks
):
    unit, (ningbo, _wenzhou, _taizhou) = province
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason=""
        )
    english(client, people["city_admin"])
    page = text(client.get(reverse("scoring:weights")))
    assert "Switching re-grades 1 month (2026-10)" in page
    assert "Use our own method" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scoring:own_method"), {"own": "1", "reason": "our plan", "back": "methods"}
        )
    assert response["Location"] == reverse("scoring:methods")
    page = text(client.get(response["Location"]))
    assert "宁波 now uses its own weights and grading rules. 1 month is re-graded." in page
    assert MethodOverride.objects.filter(company=ningbo).exists()
    entry = AuditEntry.objects.filter(action=Action.OWN_METHOD_SET, actor=people["city_admin"])
    assert entry.get().reason == "our plan"
    regrade = ScoreRun.objects.filter(company=ningbo, period=OCTOBER).latest("pk")
    assert regrade.weight_set.company == ningbo and regrade.trigger == RunTrigger.UNIT
    # Without a reason: refused, said so, nothing changes.
    response = client.post(reverse("scoring:own_method"), {"own": "0", "reason": ""}, follow=True)
    assert "Say why: the reason is kept in the audit trail." in text(response)
    assert MethodOverride.objects.filter(company=ningbo).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scoring:own_method"), {"own": "0", "reason": "join again"})
    assert not MethodOverride.objects.filter(company=ningbo).exists()
    latest = ScoreRun.objects.filter(company=ningbo, period=OCTOBER).latest("pk")
    assert latest.weight_set == version
    # The province's viewer may not switch a company.
    client.force_login(people["province_viewer"])
    response = client.post(reverse("scoring:own_method"), {"own": "1", "reason": "x"})
    assert response.status_code == 403
    assert not MethodOverride.objects.filter(company=ningbo).exists()


@pytest.mark.django_db
def test_hostile_values_on_the_unit_pages_never_bring_a_page_down(client, province, people):
    client.raise_request_exception = False
    client.force_login(people["superuser"])
    hostile = ("", "' OR 1=1--", "<script>", "名字\u202e", "x" * 3000, "\x00", "²", "1" * 5000)
    failures = []
    for url in _unit_urls("ZJ").values():
        for value in hostile:
            for method in ("get", "post"):
                fields = dict.fromkeys(
                    ("effective_from", "reason", "action", "previewed", "grading"), value
                )
                fields |= {f"weight_{code}": value for code in ("safety", "line_loss")}
                response = getattr(client, method)(url, fields)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} {value[:10]!r}: {response.status_code}")
    for code in ("NOPE", "..", "名字", "x" * 300):
        response = client.get(reverse("scoring:unit_method", args=[code]))
        if response.status_code != 404:
            failures.append(f"{code[:10]}: {response.status_code}")
    for value in hostile:
        response = client.post(reverse("scoring:own_method"), {"own": value, "back": value})
        if response.status_code >= 500:
            failures.append(f"own_method {value[:10]!r}: {response.status_code}")
    assert failures == []
    assert Indicator.objects.exists()


@pytest.mark.django_db
def test_the_unit_pages_read_the_companies_below_in_the_same_queries_whatever_their_number(
    client, province, people, django_capture_on_commit_callbacks
):
    """The overview, a version's page and the preview read every company below at once
    (``scoring.methodsource.sources_by_month``): two more inheriting companies cost no
    query, and the pages name them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CompanyFactory
    from tests.scoring.test_unit_methods import scored

    unit, _companies = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="")
    english(client, people["province_admin"])
    preview = {
        "effective_from": "2026-09",
        "reason": "again",
        **weight_fields(safety_first()),
        "action": "preview",
    }
    pages = {
        "overview": lambda: client.get(reverse("scoring:unit_method", args=["ZJ"])),
        "version": lambda: client.get(reverse("scoring:unit_weight_detail", args=["ZJ", 1])),
        "preview": lambda: client.post(reverse("scoring:unit_weight_new", args=["ZJ"]), preview),
    }

    def counted() -> dict[str, int]:
        found = {}
        for name, page in pages.items():
            with CaptureQueriesContext(connection) as queries:
                assert page().status_code == 200
            found[name] = len(queries)
        return found

    before = counted()
    for name, prefix in (("湖州", "HU"), ("嘉兴", "JX")):
        company = CompanyFactory(name=name)
        company.parent = unit
        company.save(update_fields=["parent"])
        with django_capture_on_commit_callbacks(execute=True):
            scored(company, prefix)
    assert counted() == before
    version_page = text(pages["version"]())
    assert "湖州" in version_page and "嘉兴" in version_page
    # September of each inheriting company; October stays with the later version 1.
    assert "Saving re-grades 4 months of 4 companies below." in text(pages["preview"]())
