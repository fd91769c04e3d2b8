"""factory_boy factories: build exactly the rows a test needs."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from stations.models import Company, County, Station
from stations.services import create_company


class CompanyFactory(factory.django.DjangoModelFactory):
    """A company with its initial equal weights, created through the service."""

    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_company(kwargs["name"])


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


def user_with_role(role_key: str, station=None, **kwargs):
    """A user in one role's group (``stations.roles``), linked to a station if given."""
    from django.contrib.auth.models import Group

    from stations.models import StationMember
    from stations.roles import ROLES_BY_KEY

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=ROLES_BY_KEY[role_key].group))
    if station is not None:
        StationMember.objects.create(user=user, station=station)
    return user
