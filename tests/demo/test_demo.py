"""The demo company loads through the real import path, once, and never touches real users."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from demo.company import COMPANY_NAME, DEMO_PASSWORD, ensure_users, load_demo
from indicators.models import IndicatorValue
from scoring.models import RunStatus, ScoreRun, StationScore, WeightSet
from stations.models import Company, County, Station
from tests.factories import CompanyFactory, CountyFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)


def test_demo_company_is_complete_and_loads_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo(today=TODAY) is True
    company = Company.objects.get(name=COMPANY_NAME)
    assert County.objects.filter(company=company).count() == 10
    assert Station.objects.filter(county__company=company).count() == 60
    runs = ScoreRun.objects.filter(company=company, is_current=True)
    assert runs.count() == 24
    assert set(runs.values_list("status", flat=True)) == {RunStatus.DONE}
    assert runs.order_by("period").first().period == date(2024, 11, 1)
    assert runs.order_by("period").last().period == date(2026, 10, 1)
    assert WeightSet.objects.filter(company=company).count() == 2  # versioned history

    meilin = StationScore.objects.filter(station__name="梅林供电所", run__is_current=True)
    last_two = list(meilin.order_by("-period").values_list("grade", flat=True)[:2])
    assert last_two == ["green", "yellow"]  # "from yellow last month to green"
    # a few gaps: a newly merged station with no data at first, one month too thin to grade
    reasons = set(
        StationScore.objects.exclude(ungraded_reason="").values_list("ungraded_reason", flat=True)
    )
    assert reasons == {"no_data", "low_coverage"}

    values = IndicatorValue.objects.count()
    assert load_demo(today=TODAY) is False
    assert IndicatorValue.objects.count() == values


def test_demo_logins_never_take_over_a_real_user():
    # stands in for the loaded demo
    county = CountyFactory(company=CompanyFactory(name=COMPANY_NAME))
    for name in ("梅林供电所", "大碶供电所"):  # the demo secretaries' stations
        StationFactory(name=name, county=county)
    real_admin = UserFactory(username="admin", is_superuser=False)
    ready, skipped = ensure_users()
    assert [demo.username for demo in skipped] == ["admin"]
    real_admin.refresh_from_db()
    assert not real_admin.check_password(DEMO_PASSWORD)
    assert not real_admin.is_superuser
    assert "committee" in [demo.username for demo in ready]


def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with translation.override("en"), pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Company.objects.exists()
