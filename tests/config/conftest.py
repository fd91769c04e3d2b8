"""Shared by the role matrix and the hostile-parameter walk: one scored month of three
stations (S1, S2, S3), a user of each role, and one of each improvement record of S1."""

from __future__ import annotations

import pytest

from indicators.models import ImportBatch
from stations.models import OrgUnit
from tests.factories import (
    OCTOBER,
    DepartmentHelpFactory,
    MeasureFactory,
    MonthCloseFactory,
    ObjectionFactory,
    PairingFactory,
    ProjectFactory,
    user_with_role,
)
from tests.mapviews.months import SEPTEMBER, score_month


@pytest.fixture
def scored(three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    return three_stations


@pytest.fixture
def users(scored):
    s1 = scored[0]  # its company has method version 1, for the method pages
    admin = user_with_role("admin", is_staff=True)
    return {
        "anonymous": None,
        "staff": user_with_role("station_staff", station=s1),
        "secretary": user_with_role("station_secretary", station=s1),
        "committee": user_with_role("party_committee"),
        "admin": admin,
    }


@pytest.fixture
def records(scored, users):
    """One of each improvement record, all of S1 (paired with S3)."""
    s1, s2, s3 = scored
    measure = MeasureFactory(station=s1)
    project = ProjectFactory(station=s1, secretary=users["secretary"])
    pairing = PairingFactory(weak_station=s1, strong_station=s3)
    help_row = DepartmentHelpFactory(station=s1)
    # September is under review, with an objection of S2 (not the users' own S1).
    month = MonthCloseFactory(company=s1.county.company, period=SEPTEMBER)
    objection = ObjectionFactory(month=month, station=s2)
    # A province above the company: its page is only for superusers and its members.
    province = OrgUnit.objects.create(code="PROVINCE", name="Province")
    company = s1.county.company
    company.parent = province
    company.save(update_fields=["parent"])
    return {
        "measure": measure.pk,
        "project": project.pk,
        "milestone": project.milestones.create(title="t", due_month=OCTOBER).pk,
        "pairing": pairing.pk,
        "help": help_row.pk,
        "objection": objection.pk,
        "unit": province.code,
        "import": ImportBatch.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


@pytest.fixture
def other_city(scored, records):
    """A second company (another city) with the same kinds of rows as the first: three
    scored stations T1–T3 (named 他城一…), a month under review with an objection of T2,
    and one of each improvement record of T1; and a province unit above both cities."""
    from stations.models import OrgUnit
    from tests.factories import CompanyFactory, CountyFactory, StationFactory

    company = CompanyFactory(name="他城")
    county = CountyFactory(company=company, name="他县")
    names = ["他城一所", "他城二所", "他城三所"]
    t1, t2, t3 = (
        StationFactory(code=f"T{n}", name=name, county=county)
        for n, name in enumerate(names, start=1)
    )
    score_month([t1, t2, t3], SEPTEMBER, [10, 20, 30])
    project = ProjectFactory(station=t1)
    month = MonthCloseFactory(company=company, period=SEPTEMBER)
    province = OrgUnit.objects.create(code="PROV", name="省公司")
    first = scored[0].county.company
    for city in (first, company):
        city.parent = province
        city.save(update_fields=["parent"])
    return {
        "company": company,
        "province": province,
        "names": names,
        "measure": MeasureFactory(station=t1).pk,
        "project": project.pk,
        "milestone": project.milestones.create(title="t", due_month=OCTOBER).pk,
        "pairing": PairingFactory(weak_station=t1, strong_station=t3).pk,
        "help": DepartmentHelpFactory(station=t1).pk,
        "objection": ObjectionFactory(month=month, station=t2).pk,
        "import": ImportBatch.objects.filter(company=company).values_list("pk", flat=True)[0],
        # A unit above the cities: no city user is its member, so its page is not found.
        "unit": province.code,
    }
