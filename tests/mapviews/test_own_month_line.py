"""The map says a staff member's colour in words: their station, this month's colour and
label, its rank of how many, and last month's colour ("梅林供电所 本月：绿 · 稍差，第 46 名
（共 60 个），上月：黄 · 落后"); a provisional month says so."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import MonthCloseFactory, UserFactory
from tests.mapviews.months import OCTOBER

pytestmark = pytest.mark.django_db


def own_line(html: str) -> str | None:
    found = re.search(r'<p class="own-month js-map-own">(.*?)</p>', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found[1])).split()) if found else None


@pytest.fixture
def english_member(client, member):
    """S1's staff: S1 was yellow in September and is orange, first of two, in October."""
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def test_the_map_says_the_viewers_colour_in_words(english_member, scored):
    name = scored[0].name
    html = english_member.get(reverse("mapviews:home")).content.decode()
    assert own_line(html) == (
        f"{name} this month: Orange · Good rank 1 of 2, last month: Yellow · Lagging"
    )
    assert 'class="grade-badge grade-orange js-own-grade"' in html  # colour and label
    september = english_member.get(reverse("mapviews:home"), {"period": "2026-09"})
    assert (
        own_line(september.content.decode()) == f"{name} this month: Yellow · Lagging rank 3 of 3"
    )


def test_the_month_player_gets_the_line_of_each_month(english_member, scored):
    data = english_member.get(reverse("mapviews:map_month"), {"period": "2026-09"}).json()
    assert data["own_month"] == {
        "lead": f"{scored[0].name} this month:",
        "grade": "yellow",
        "grade_label": "Yellow · Lagging",
        "rest": "rank 3 of 3",
    }


def test_a_provisional_month_says_so(english_member, scored):
    MonthCloseFactory(company=scored[0].county.company, period=OCTOBER)
    html = english_member.get(reverse("mapviews:home")).content.decode()
    assert own_line(html).startswith(f"{scored[0].name} this month (provisional): Orange · Good")


def test_a_viewer_without_a_station_gets_no_line(client, scored):
    client.force_login(UserFactory())
    assert own_line(client.get(reverse("mapviews:home")).content.decode()) is None
