"""A company or unit moved in the organisation tree: the months whose governing versions
change are re-graded (history is never silently rewritten), the others are not."""

from __future__ import annotations

import pytest

from scoring.models import RunTrigger, ScoreRun
from scoring.services import publish_unit_weights
from stations.models import OrgUnit
from tests.scoring.test_unit_methods import OCTOBER, SEPTEMBER, make_province, safety_first


def regrades(company) -> list:
    return sorted(
        ScoreRun.objects.filter(company=company, trigger=RunTrigger.UNIT).values_list(
            "period", flat=True
        )
    )


@pytest.mark.django_db
def test_moving_a_company_away_from_its_units_method_regrades_the_months_it_governed(
    django_capture_on_commit_callbacks,
):
    unit, (ningbo, wenzhou, _taizhou) = make_province()
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason=""
        )
    assert regrades(ningbo) == [OCTOBER]  # the publication's own re-grade
    elsewhere = OrgUnit.objects.create(code="JS", name="江苏")

    with django_capture_on_commit_callbacks(execute=True):
        ningbo.parent = elsewhere
        ningbo.save()

    # October was graded by the province's weights: it is graded again, by 宁波's own.
    assert regrades(ningbo) == [OCTOBER, OCTOBER]
    latest = ScoreRun.objects.filter(company=ningbo, period=OCTOBER).latest("pk")
    assert latest.weight_set.company == ningbo and latest.weight_set != version
    # September (before the province's version) and the company left in place: untouched.
    assert SEPTEMBER not in regrades(ningbo)
    assert regrades(wenzhou) == [OCTOBER]


@pytest.mark.django_db
def test_a_save_that_does_not_move_anything_regrades_nothing(django_capture_on_commit_callbacks):
    unit, (ningbo, _wenzhou, _taizhou) = make_province()
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="")
    before = ScoreRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        ningbo.name = "宁波市供电公司"
        ningbo.save()
        unit.name = "浙江省电力公司"
        unit.save()
    assert ScoreRun.objects.count() == before


@pytest.mark.django_db
def test_moving_a_unit_regrades_the_companies_below_it(django_capture_on_commit_callbacks):
    unit, (ningbo, wenzhou, _taizhou) = make_province()
    group = OrgUnit.objects.create(code="SGCC", name="国家电网")
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=group, weights=safety_first(), effective_from=OCTOBER, reason="")
    assert regrades(ningbo) == [] and regrades(wenzhou) == []  # not below the group yet

    with django_capture_on_commit_callbacks(execute=True):
        unit.parent = group
        unit.save()

    assert regrades(ningbo) == [OCTOBER] and regrades(wenzhou) == [OCTOBER]
