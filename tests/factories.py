"""factory_boy factories: build exactly the rows a test needs.

Rows that need the engine to be right (a scored month) are built by tests/builders.py.
"""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth import get_user_model

from improvement.models import BranchPairing, DepartmentHelp, Measure, SecretaryProject
from indicators.models import Indicator
from scoring.engine import LEAGUE_TABLE
from scoring.models import (
    CloseState,
    MethodVersion,
    MonthClose,
    Objection,
    RunTrigger,
    ScoreRun,
)
from stations.models import Company, County, Station
from stations.services import create_company

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


class CompanyFactory(factory.django.DjangoModelFactory):
    """A company with its initial equal weights and method version 1, created through
    the service.

    ``method``: the params method version 1 holds. It defaults to the league table
    (min-max, 20 % quotas), the default when most tests were written, so their expected
    scores and colours keep their meaning; ``method=None`` keeps version 1 as a new
    company gets it (absolute, the seeded targets): new tests of the product use that.
    Version 1's params are replaced before any month is scored.
    """

    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    method = LEAGUE_TABLE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        company = create_company(kwargs["name"])
        _place_waiting_users(company)
        method = kwargs.get("method")
        if method is not None:
            MethodVersion.objects.filter(company=company, version=1).update(
                params=method.as_record()
            )
        return company


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"County {n}")


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"ST{n:04d}")
    name = factory.Sequence(lambda n: f"Station {n}")
    county = factory.SubFactory(CountyFactory)
    latitude = 29.8
    longitude = 121.5
    staff_count = 40


class ScoreRunFactory(factory.django.DjangoModelFactory):
    """A run of a company-month, waiting to be executed (``tests.builders.run_month`` runs it)."""

    class Meta:
        model = ScoreRun

    company = factory.SubFactory(CompanyFactory)
    period = SEPTEMBER
    trigger = RunTrigger.MANUAL


class MonthCloseFactory(factory.django.DjangoModelFactory):
    """A company-month under review (provisional), objections taken until far ahead."""

    class Meta:
        model = MonthClose

    company = factory.SubFactory(CompanyFactory)
    period = SEPTEMBER
    state = CloseState.PROVISIONAL
    review_until = date(2099, 12, 31)


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    month = factory.SubFactory(MonthCloseFactory)
    station = factory.SubFactory(StationFactory)
    grade = "green"
    reason = "The outage count includes planned maintenance."


class MeasureFactory(factory.django.DjangoModelFactory):
    """A planned improvement measure, prompted by September's grades, due in October."""

    class Meta:
        model = Measure

    station = factory.SubFactory(StationFactory)
    title = factory.Sequence(lambda n: f"Measure {n}")
    owner = "owner"
    due_month = OCTOBER
    based_on = SEPTEMBER


class ProjectFactory(factory.django.DjangoModelFactory):
    """A secretary project on the safety indicator: blue by its first month, October."""

    class Meta:
        model = SecretaryProject

    station = factory.SubFactory(StationFactory)
    indicator = factory.LazyFunction(lambda: _indicator("safety"))
    title = factory.Sequence(lambda n: f"Project {n}")
    plan = "plan"
    start_month = OCTOBER
    goal_grade = "blue"
    goal_month = OCTOBER


class PairingFactory(factory.django.DjangoModelFactory):
    """An accepted branch pairing (yellow with red) for October, from September's grades."""

    class Meta:
        model = BranchPairing

    weak_station = factory.SubFactory(StationFactory)
    strong_station = factory.SubFactory(
        StationFactory, county=factory.SelfAttribute("..weak_station.county")
    )
    company = factory.SelfAttribute("weak_station.county.company")
    weak_grade = "yellow"
    strong_grade = "red"
    benefit = 1.0
    as_proposed = True
    based_on = SEPTEMBER
    start_month = OCTOBER
    end_month = OCTOBER


class DepartmentHelpFactory(factory.django.DjangoModelFactory):
    """A department's help to a station on the safety indicator for October."""

    class Meta:
        model = DepartmentHelp

    station = factory.SubFactory(StationFactory)
    company = factory.SelfAttribute("station.county.company")
    department = "d"
    indicator = factory.LazyFunction(lambda: _indicator("safety"))
    based_on = SEPTEMBER
    start_month = OCTOBER
    end_month = OCTOBER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


#: Users ``user_with_role`` made before any company existed: the first company a
#: ``CompanyFactory`` makes places them (cleared before each test, tests/conftest.py).
UNPLACED: list = []


def user_with_role(
    role_key: str, station=None, *, company=None, unit=None, placed: bool = True, **kwargs
):
    """A user in one role's group (``stations.roles``), placed in the organisation
    (``stations.scope``): at ``station`` (its staff), in ``company`` or in ``unit`` (a
    unit member: read only), else in the first company there is (or the first one a
    ``CompanyFactory`` makes next), as the single-company installation places everyone;
    ``placed=False``: nowhere."""
    from django.contrib.auth.models import Group

    from stations.models import OrgMember, StationMember
    from stations.roles import ROLES_BY_KEY

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=ROLES_BY_KEY[role_key].group))
    if station is not None:
        StationMember.objects.create(user=user, station=station)
    elif company is not None or unit is not None:
        OrgMember.objects.create(user=user, company=company, unit=unit)
    elif placed:
        first = Company.objects.order_by("pk").first()
        if first is not None:
            OrgMember.objects.create(user=user, company=first)
        else:
            UNPLACED.append(user)
    return user


def _place_waiting_users(company: Company) -> None:
    from stations.models import OrgMember

    for user in UNPLACED:
        OrgMember.objects.get_or_create(user=user, defaults={"company": company})
    UNPLACED.clear()
