"""The indicators page: list, edit, add from a month, retire from a month; permissions."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from indicators.models import Indicator
from tests.conftest import TODAY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("indicators:list")
ADD = reverse("indicators:add")


def edit_url(code: str) -> str:
    return reverse("indicators:edit", args=[code])


def retire_url(code: str) -> str:
    return reverse("indicators:retire", args=[code])


def form_data(indicator: Indicator, **changes) -> dict:
    data = {
        name: getattr(indicator, name)
        for name in (
            "name_zh",
            "name_en",
            "direction",
            "unit",
            "unit_en",
            "min_value",
            "max_value",
            "department",
            "department_en",
        )
    }
    return {**data, **changes}


def row(code: str) -> dict:
    return Indicator.objects.filter(code=code).values().get()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_urls_are_under_manage():
    assert LIST == "/manage/indicators/"
    assert ADD == "/manage/indicators/add/"
    assert edit_url("safety") == "/manage/indicators/safety/edit/"
    assert retire_url("safety") == "/manage/indicators/safety/retire/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (LIST, ADD, edit_url("safety"), retire_url("safety")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_users_without_the_permission_get_403_and_change_nothing(client, editor):
    client.force_login(UserFactory())
    before = row("safety")
    for url in (LIST, ADD, edit_url("safety"), retire_url("safety")):
        assert client.get(url).status_code == 403
    safety = Indicator.objects.get(code="safety")
    response = client.post(edit_url("safety"), form_data(safety, name_en="Hacked"))
    assert response.status_code == 403
    response = client.post(
        retire_url("safety"), {"retired_from": "2026-10", "reason": "x", "confirm": "yes"}
    )
    assert response.status_code == 403
    assert row("safety") == before
    # Changing indicators does not allow adding one.
    client.force_login(editor)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"code": "x1"}).status_code == 403
    assert Indicator.objects.count() == 10


def test_the_list_shows_every_indicator_with_its_department_months_and_weight(
    english, company, editor
):
    english.force_login(editor)
    response = english.get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 10
    safety = rows[0]
    assert safety.indicator.code == "safety"
    assert safety.in_force_now is True
    # The company's version 1 weights the ten equally: 10 each.
    assert [str(weight) for weight in safety.weights] == ["10.00"]
    html = response.content.decode()
    assert "安全监察部" in html and "Safety Supervision Dept" in html
    assert "v1 from 2000-01" in html
    assert "from the start" in html
    assert reverse("indicators:edit", args=["line_loss"]) in html
    assert ADD not in html  # this admin may not add indicators


def test_an_edit_is_saved_and_warns_that_scored_months_keep_their_grades(english, editor):
    english.force_login(editor)
    page = english.get(edit_url("safety"))
    assert page.status_code == 200
    assert "months already scored keep their grades until they are recomputed" in (
        page.content.decode()
    )
    safety = Indicator.objects.get(code="safety")
    response = english.post(
        edit_url("safety"),
        form_data(safety, name_en="Safety index", direction="lower", department_en="Safety Dept"),
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    saved = row("safety")
    assert (saved["name_en"], saved["direction"], saved["department_en"]) == (
        "Safety index",
        "lower",
        "Safety Dept",
    )
    assert messages_of(response) == [
        "Safety index was saved.",
        "The direction or valid range changed. Months already scored keep their grades until "
        "they are recomputed; a recompute will score them the new way.",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"min_value": "100", "max_value": "100"},
            "min_value",
            "The lowest valid value must be below the highest valid value.",
        ),
        (
            {"min_value": "120"},
            "min_value",
            "The lowest valid value must be below the highest valid value.",
        ),
        ({"max_value": "abc"}, "max_value", "Enter a number."),
        ({"name_zh": ""}, "name_zh", "This field is required."),
        ({"direction": "sideways"}, "direction", "Select a valid choice."),
    ],
)
def test_a_bad_edit_saves_nothing_and_says_why(english, editor, changes, field, message):
    english.force_login(editor)
    before = row("safety")
    safety = Indicator.objects.get(code="safety")
    response = english.post(edit_url("safety"), form_data(safety, name_en="Changed", **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in form.errors[field][0]
    assert message in response.content.decode()
    assert row("safety") == before


def test_an_indicator_is_added_from_a_month_and_has_no_weight_yet(
    english, indicator_admin, monkeypatch
):
    monkeypatch.setattr("scoring.views.indicators.timezone.localdate", lambda: TODAY)
    english.force_login(indicator_admin)
    assert english.get(ADD).status_code == 200
    response = english.post(
        ADD,
        {
            "code": "reliability",
            "active_from": "2026-12",
            "name_zh": "供电可靠性指数",
            "name_en": "Supply reliability index",
            "direction": "higher",
            "unit": "%",
            "unit_en": "%",
            "min_value": "0",
            "max_value": "100",
            "department": "运维检修部",
            "department_en": "Operations & Maintenance Dept",
        },
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    saved = row("reliability")
    assert (saved["active_from"], saved["name_en"], saved["department"]) == (
        date(2026, 12, 1),
        "Supply reliability index",
        "运维检修部",
    )
    assert messages_of(response) == [
        "Supply reliability index was added; it counts from 2026-12.",
        "It has no weight yet: it counts in the scores only once a new weight version gives it "
        "one (on the weights page).",
    ]
    listed = {r.indicator.code: r for r in response.context["rows"]}["reliability"]
    assert listed.in_force_now is False  # it starts next month
    assert listed.weighted is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "safety"}, "code", "The code safety is already used by Work safety index."),
        ({"code": "Bad Code"}, "code", "Use lower-case letters"),
        ({"active_from": "2026/12"}, "active_from", "Enter the month as YYYY-MM"),
        ({"active_from": "2026-13"}, "active_from", "Enter the month as YYYY-MM"),
        ({"active_from": ""}, "active_from", "This field is required."),
        ({"min_value": "5", "max_value": "1"}, "min_value", "must be below the highest"),
    ],
)
def test_a_bad_addition_adds_nothing(english, indicator_admin, changes, field, message):
    english.force_login(indicator_admin)
    data = {
        "code": "reliability",
        "active_from": "2026-12",
        "name_zh": "供电可靠性指数",
        "name_en": "Supply reliability index",
        "direction": "higher",
        "min_value": "0",
        "max_value": "100",
        **changes,
    }
    response = english.post(ADD, data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert Indicator.objects.count() == 10


def test_retiring_asks_for_confirmation_then_retires(english, editor):
    english.force_login(editor)
    assert english.get(retire_url("line_loss")).status_code == 200
    data = {"retired_from": "2026-10", "reason": "Measured by the county from October"}
    confirm = english.post(retire_url("line_loss"), data)
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "indicators/retire_confirm.html"
    assert "Retire Line loss index from 2026-10?" in confirm.content.decode()
    assert row("line_loss")["retired_from"] is None  # not yet
    response = english.post(retire_url("line_loss"), {**data, "confirm": "yes"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    saved = row("line_loss")
    assert (saved["retired_from"], saved["retirement_reason"], saved["active"]) == (
        date(2026, 10, 1),
        "Measured by the county from October",
        False,
    )
    assert messages_of(response) == [
        "Line loss index is retired from 2026-10. Months already scored keep their grades "
        "until they are recomputed."
    ]
    html = response.content.decode()
    assert "retired from 2026-10" in html
    assert retire_url("line_loss") not in html


def test_the_confirmation_names_the_stored_values_and_scored_months(
    english, editor, three_stations
):
    from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [30, 20, None])
    english.force_login(editor)
    confirm = english.post(retire_url("safety"), {"retired_from": "2026-10", "reason": "merged"})
    effects = confirm.context["effects"]
    assert effects.stored_values == 2  # S1 and S2 in October (S3 has no October data)
    assert effects.scored_months == [date(2026, 10, 1)]
    assert "2026-10" in confirm.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"retired_from": "2026-10", "reason": ""}, "reason", "This field is required."),
        ({"retired_from": "October", "reason": "x"}, "retired_from", "YYYY-MM"),
        ({"reason": "x"}, "retired_from", "This field is required."),
    ],
)
def test_a_bad_retirement_retires_nothing(english, editor, data, field, message):
    english.force_login(editor)
    for confirmed in ({}, {"confirm": "yes"}):
        response = english.post(retire_url("safety"), {**data, **confirmed})
        assert response.status_code == 200
        assert message in response.context["form"].errors[field][0]
    assert row("safety")["retired_from"] is None


def test_retiring_before_the_first_month_is_refused(english, indicator_admin):
    from indicators import services

    services.add_indicator(
        code="reliability",
        details=services.IndicatorFields(
            name_zh="可靠性",
            name_en="Reliability",
            direction="higher",
            unit="",
            unit_en="",
            min_value=0,
            max_value=100,
            department="",
            department_en="",
        ),
        active_from=date(2026, 12, 1),
    )
    english.force_login(indicator_admin)
    response = english.post(
        retire_url("reliability"),
        {"retired_from": "2026-11", "reason": "typo", "confirm": "yes"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["retired_from"] == [
        "Reliability counts only from 2026-12: it cannot be retired before or in that month. "
        "Choose a later month."
    ]
    assert row("reliability")["retired_from"] is None


def test_an_unknown_code_is_404(client, editor):
    client.force_login(editor)
    assert client.get(edit_url("nope")).status_code == 404
    assert client.get(retire_url("nope")).status_code == 404


def test_the_pages_are_chinese_by_default(client, indicator_admin):
    client.force_login(indicator_admin)
    html = client.get(LIST).content.decode()
    assert "安全生产指数" in html
    assert 'lang="zh-hans"' in html
