"""GET /api/v1/indicators/: the codes a batch may name, with what a sender must know of
each (names, unit, valid range, direction, months in force) and whether the token may
send it."""

from __future__ import annotations

from datetime import date

import pytest

from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def _by_code(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["results"]}


def test_every_indicator_with_what_a_sender_needs(narrow, client):
    from tests.api.conftest import Caller

    caller = Caller(client, narrow.plaintext)
    Indicator.objects.filter(code="financial").update(active_from=date(2026, 3, 1))
    rows = _by_code(caller.get("/api/v1/indicators/", page_size=100))
    assert set(rows) == set(Indicator.objects.values_list("code", flat=True))
    safety = Indicator.objects.get(code="safety")
    assert rows["safety"] == {
        "code": "safety",
        "name": safety.name_zh,
        "name_zh": safety.name_zh,
        "name_en": safety.name_en,
        "unit": safety.unit,
        "min_value": safety.min_value,
        "max_value": safety.max_value,
        "direction": safety.direction,
        "direction_label": "越高越好" if safety.higher_is_better else "越低越好",
        "in_force_from": None,
        "retired_from": None,
        "may_send": True,
    }
    assert rows["financial"]["in_force_from"] == "2026-03"
    assert rows["financial"]["may_send"] is False


def test_names_in_english(caller, settings):
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = caller.get("/api/v1/indicators/", page_size=100)
    safety = Indicator.objects.get(code="safety")
    row = _by_code(response)["safety"]
    assert row["name"] == safety.name_en
    assert row["direction_label"] in ("higher is better", "lower is better")


def test_a_logged_in_user_reads_them_without_a_token_scope(feed_company, admin_client):
    rows = _by_code(admin_client.get("/api/v1/indicators/", {"page_size": 100}))
    assert {row["may_send"] for row in rows.values()} == {None}
