"""The demo is a province: 浙江 with two grading units, 宁波 and 绍兴, each with its own
stations, months, grades and users; placed through the organisation file import."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from shapely.geometry import Point, shape

from audit.models import AuditEntry
from demo import shaoxing
from demo.company import COMPANY_NAME, DEMO_PASSWORD, ensure_users, load_demo
from scoring.models import RunStatus, ScoreRun, StationScore
from scoring.unitaccess import PUBLISH_WEIGHTS, may_publish_at
from stations.models import Company, OrgUnit, Station
from stations.orgtree import companies_under, company_path
from stations.scope import visible_company_ids

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)
LAST = date(2026, 10, 1)


def last_grades(company: Company) -> dict[str, int]:
    scores = StationScore.objects.filter(run__company=company, run__is_current=True, period=LAST)
    counts: dict[str, int] = {}
    for grade in scores.exclude(grade="").values_list("grade", flat=True):
        counts[grade] = counts.get(grade, 0) + 1
    return counts


def test_two_cities_under_zhejiang_with_their_own_grades_and_users(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo(today=TODAY) is True
    ningbo = Company.objects.get(name=COMPANY_NAME)
    sx = Company.objects.get(name=shaoxing.COMPANY_NAME)

    # the tree: 浙江 above both, each company with its code
    zhejiang = OrgUnit.objects.get(code="ZJ")
    assert (zhejiang.name, zhejiang.parent) == ("浙江省电力公司", None)
    assert (ningbo.code, sx.code) == ("NB", "SX")
    assert [unit.code for unit in company_path(sx)] == ["ZJ"]
    assert {c.code for c in companies_under(zhejiang.pk)} == {"NB", "SX"}

    # 绍兴: four real counties, 40 stations, the same 24 months, all scored
    assert sorted(sx.counties.values_list("name", flat=True)) == ["上虞", "柯桥", "诸暨", "越城"]
    assert Station.objects.filter(county__company=sx).count() == 40
    runs = ScoreRun.objects.filter(company=sx, is_current=True)
    assert runs.count() == 24 and set(runs.values_list("status", flat=True)) == {RunStatus.DONE}
    assert runs.order_by("period").last().period == LAST
    # its own spread: every colour, and not 宁波's counts
    sx_grades, nb_grades = last_grades(sx), last_grades(ningbo)
    assert set(sx_grades) == {"red", "orange", "blue", "green", "yellow"}
    assert sum(sx_grades.values()) == 40 and sx_grades != nb_grades

    # the users: each city's own, and the province's viewer who sees both
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    assert visible_company_ids(users["committee"]) == {ningbo.pk}
    assert visible_company_ids(users["admin"]) is None  # a superuser
    assert visible_company_ids(users["sx_committee"]) == {sx.pk}
    assert visible_company_ids(users["sx_admin"]) == {sx.pk}
    assert visible_company_ids(users["keqiao"]) == {sx.pk}
    assert users["keqiao"].station_membership.station.name == shaoxing.KEQIAO
    assert visible_company_ids(users["zhejiang"]) == {ningbo.pk, sx.pk}
    # The province's administrator: both companies, and the province's common method.
    assert visible_company_ids(users["zj_admin"]) == {ningbo.pk, sx.pk}
    assert may_publish_at(users["zj_admin"], zhejiang, PUBLISH_WEIGHTS)
    assert not may_publish_at(users["zhejiang"], zhejiang, PUBLISH_WEIGHTS)
    assert not may_publish_at(users["sx_admin"], zhejiang, PUBLISH_WEIGHTS)
    assert not users["sx_admin"].is_superuser and users["sx_admin"].check_password(DEMO_PASSWORD)
    # Administrators reach the Django admin (scoped to their part); the others do not.
    assert users["sx_admin"].is_staff and users["zj_admin"].is_staff
    assert not users["zhejiang"].is_staff and not users["sx_committee"].is_staff

    # loading again changes nothing, not even the audit trail
    recorded = AuditEntry.objects.count()
    assert load_demo(today=TODAY) is False
    ensure_users()
    assert AuditEntry.objects.count() == recorded
    # ... but a demo login changed by hand is set back (its rights too, not only its
    # password).
    User.objects.filter(username="sx_admin").update(is_staff=False)
    ensure_users()
    assert User.objects.get(username="sx_admin").is_staff


def test_the_shaoxing_boundaries_hold_every_shaoxing_station():
    features = json.loads(shaoxing.COUNTY_BOUNDARIES.read_text("utf-8"))["features"]
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
    assert sorted(shapes) == sorted(name for name, _code, _towns in shaoxing.COUNTIES)
    outside = [
        town
        for county, _code, towns in shaoxing.COUNTIES
        for town, lat, lon in towns
        if not shapes[county].contains(Point(lon, lat))
    ]
    assert outside == []
