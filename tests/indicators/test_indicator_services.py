"""Editing, adding and retiring indicators: every rule is checked, nothing saved on error."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation

from indicators import services
from indicators.models import Indicator
from indicators.services import IndicatorFields

pytestmark = pytest.mark.django_db

FIELDS = IndicatorFields.names()


def details_of(indicator: Indicator, **changes) -> IndicatorFields:
    return IndicatorFields(**{**{name: getattr(indicator, name) for name in FIELDS}, **changes})


def row(code: str) -> dict:
    return Indicator.objects.filter(code=code).values().get()


def refused(call, **kwargs) -> dict[str, list[str]]:
    """The errors, in English, of a call that must fail."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            call(**kwargs)
        return {
            field: [str(m) for m in messages]
            for field, messages in caught.value.message_dict.items()
        }


NEW = IndicatorFields(
    name_zh="供电可靠性指数",
    name_en="Supply reliability index",
    direction="higher",
    unit="%",
    unit_en="%",
    min_value=0,
    max_value=100,
    department="运维检修部",
    department_en="Operations & Maintenance Dept",
)


def test_the_ten_indicators_have_their_departments():
    departments = dict(Indicator.objects.values_list("code", "department"))
    assert departments == {
        "safety": "安全监察部",
        "fault_outage": "运维检修部",
        "frequent_outage": "运维检修部",
        "line_loss": "发展策划部",
        "customer_satisfaction": "营销部",
        "getting_electricity": "营销部",
        "party_building": "党建工作部",
        "integrity_risk": "纪委办公室",
        "financial": "财务资产部",
        "team_performance": "人力资源部",
    }
    assert Indicator.objects.get(code="integrity_risk").department_en == (
        "Discipline Inspection Office"
    )
    assert set(Indicator.objects.values_list("active", "active_from", "retired_from")) == {
        (True, None, None)
    }


def test_an_edit_is_saved_and_says_a_rescore_would_differ():
    safety = Indicator.objects.get(code="safety")
    change = services.update_indicator(
        indicator=safety,
        details=details_of(
            safety, name_en="Safety index", direction="lower", max_value=120.0, department="安监部"
        ),
    )
    saved = row("safety")
    assert (saved["name_en"], saved["direction"], saved["max_value"], saved["department"]) == (
        "Safety index",
        "lower",
        120.0,
        "安监部",
    )
    assert saved["name_zh"] == "安全生产指数"
    assert (change.scoring_changed, change.values_outside_range) == (True, 0)


def test_an_edit_of_names_only_does_not_touch_scoring():
    safety = Indicator.objects.get(code="safety")
    change = services.update_indicator(indicator=safety, details=details_of(safety, unit_en="pt"))
    assert change.scoring_changed is False
    assert row("safety")["unit_en"] == "pt"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"min_value": 100.0}, "min_value", "lowest valid value must be below the highest"),
        ({"min_value": 120.0}, "min_value", "lowest valid value must be below the highest"),
        ({"max_value": float("inf")}, "min_value", "two finite numbers"),
        ({"name_zh": ""}, "name_zh", "This field cannot be blank."),
        ({"direction": "sideways"}, "direction", "is not a valid choice"),
        ({"unit": "x" * 21}, "unit", "at most 20 characters"),
    ],
)
def test_a_bad_edit_saves_nothing(changes, field, message):
    safety = Indicator.objects.get(code="safety")
    before = row("safety")
    errors = refused(
        services.update_indicator,
        indicator=safety,
        details=details_of(safety, name_en="Changed too", **changes),
    )
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert row("safety") == before


def test_every_problem_of_an_edit_is_reported_at_once():
    safety = Indicator.objects.get(code="safety")
    errors = refused(
        services.update_indicator,
        indicator=safety,
        details=details_of(safety, name_en="", min_value=5.0, max_value=5.0),
    )
    assert sorted(errors) == ["min_value", "name_en"]


def test_a_narrower_range_counts_the_stored_values_outside_it(three_stations):
    from tests.mapviews.months import SEPTEMBER, score_month

    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    safety = Indicator.objects.get(code="safety")
    change = services.update_indicator(
        indicator=safety, details=details_of(safety, min_value=15.0, max_value=25.0)
    )
    assert change.values_outside_range == 2  # 10 and 30; 20 is inside
    assert safety.values.count() == 3  # kept as they are


def test_an_indicator_is_added_from_a_month_last_in_order():
    added = services.add_indicator(code="reliability", details=NEW, active_from=date(2026, 12, 1))
    saved = row("reliability")
    assert saved["name_zh"] == "供电可靠性指数"
    assert saved["department_en"] == "Operations & Maintenance Dept"
    assert (saved["active"], saved["active_from"], saved["retired_from"]) == (
        True,
        date(2026, 12, 1),
        None,
    )
    assert saved["display_order"] == 11
    assert added.in_force(date(2026, 11, 1)) is False
    assert added.in_force(date(2026, 12, 1)) is True
    assert [i.code for i in Indicator.objects.in_force(date(2026, 11, 1))][-1] == (
        "team_performance"
    )
    assert "reliability" in Indicator.objects.in_force(date(2027, 1, 1)).values_list(
        "code", flat=True
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("safety", "The code safety is already used by Work safety index."),
        ("Reliability", "Use lower-case letters"),
        ("2nd_index", "Use lower-case letters"),
        ("service-quality", "Use lower-case letters"),
        ("", "Use lower-case letters"),
        ("value", "value is a column name of the import files"),
        ("station_code", "station_code is a column name of the import files"),
        ("a" * 41, "at most 40 characters"),
    ],
)
def test_a_code_that_cannot_be_used_adds_nothing(code, message):
    errors = refused(services.add_indicator, code=code, details=NEW, active_from=date(2026, 12, 1))
    assert list(errors) == ["code"]
    assert message in errors["code"][0]
    assert Indicator.objects.count() == 10


def test_an_added_indicator_with_a_bad_range_adds_nothing():
    bad = IndicatorFields(**{**NEW.__dict__, "min_value": 100, "max_value": 0})
    errors = refused(services.add_indicator, code="x1", details=bad, active_from=date(2026, 1, 1))
    assert list(errors) == ["min_value"]
    assert not Indicator.objects.filter(code="x1").exists()


def test_retiring_sets_the_month_the_reason_and_active_off():
    line_loss = Indicator.objects.get(code="line_loss")
    services.retire_indicator(
        indicator=line_loss, retired_from=date(2026, 10, 15), reason=" Replaced by a new index "
    )
    saved = row("line_loss")
    assert (saved["retired_from"], saved["retirement_reason"], saved["active"]) == (
        date(2026, 10, 1),
        "Replaced by a new index",
        False,
    )
    line_loss.refresh_from_db()
    assert line_loss.in_force(date(2026, 9, 1)) is True
    assert line_loss.in_force(date(2026, 10, 1)) is False
    assert "line_loss" not in Indicator.objects.in_force(date(2026, 10, 1)).values_list(
        "code", flat=True
    )


def test_retiring_before_or_in_the_first_month_is_refused():
    added = services.add_indicator(code="reliability", details=NEW, active_from=date(2026, 12, 1))
    for month in (date(2026, 11, 1), date(2026, 12, 1)):
        errors = refused(
            services.retire_indicator, indicator=added, retired_from=month, reason="typo"
        )
        assert list(errors) == ["retired_from"]
        assert "counts only from 2026-12: it cannot be retired before" in errors["retired_from"][0]
    assert row("reliability")["retired_from"] is None


def test_retiring_needs_a_reason_and_happens_once():
    safety = Indicator.objects.get(code="safety")
    errors = refused(
        services.retire_indicator, indicator=safety, retired_from=date(2026, 10, 1), reason=" "
    )
    assert errors == {"reason": ["Say why the indicator is retired."]}
    services.retire_indicator(indicator=safety, retired_from=date(2026, 10, 1), reason="merged")
    errors = refused(
        services.retire_indicator, indicator=safety, retired_from=date(2027, 1, 1), reason="again"
    )
    assert errors == {NON_FIELD_ERRORS: ["Work safety index is already retired from 2026-10."]}
    assert row("safety")["retired_from"] == date(2026, 10, 1)
