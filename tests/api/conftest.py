"""API fixtures: a company with stations, a feeding system's token, a caller that sends it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from api.tokens import IssuedToken, issue_token
from indicators.models import Indicator
from tests.factories import CompanyFactory, CountyFactory, StationFactory

MONTH = "2026-10"


@pytest.fixture
def feed_company(db):
    """Two counties of three stations each (F1–F6), scored against the seeded targets."""
    company = CompanyFactory(name="宁波测试公司", method=None)
    east = CountyFactory(company=company, name="东区")
    west = CountyFactory(company=company, name="西区")
    for n in range(1, 7):
        StationFactory(code=f"F{n}", name=f"站{n}", county=east if n <= 3 else west)
    return company


@pytest.fixture
def other_company(db):
    company = CompanyFactory(name="别的公司")
    StationFactory(code="X1", county=CountyFactory(company=company))
    return company


@pytest.fixture
def issued(feed_company) -> IssuedToken:
    """The company's feeding system, allowed every indicator."""
    return issue_token(
        name="配电物联网平台", company=feed_company, indicators=Indicator.objects.all()
    )


@pytest.fixture
def narrow(feed_company) -> IssuedToken:
    """A token allowed only work safety (安全生产)."""
    return issue_token(
        name="安监系统", company=feed_company, indicators=Indicator.objects.filter(code="safety")
    )


@dataclass
class Caller:
    """The Django test client with the token in every request (no session, no CSRF)."""

    client: Client
    token: str

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, **query: Any):
        return self.client.get(path, query, headers=self._headers(None))

    def post(self, path: str, body: bytes | str, content_type: str, **headers: str):
        return self.client.post(
            path, body, content_type=content_type, headers=self._headers(headers)
        )

    def post_json(self, values: list[dict], **headers: str):
        import json

        body = json.dumps({"values": values})
        return self.post("/api/v1/values/", body, "application/json", **headers)


@pytest.fixture
def caller(issued) -> Caller:
    return Caller(Client(enforce_csrf_checks=True), issued.plaintext)


def month_values(stations=("F1", "F2", "F3", "F4", "F5", "F6"), month: str = MONTH) -> list[dict]:
    """A full month: every indicator of every station, in-range values that differ by
    station."""
    rows = []
    indicators = Indicator.objects.order_by("code")
    for offset, code in enumerate(stations):
        for indicator in indicators:
            span = indicator.max_value - indicator.min_value
            value = indicator.min_value + span * (0.3 + 0.1 * offset)
            rows.append(
                {
                    "station_code": code,
                    "period": month,
                    "indicator_code": indicator.code,
                    "value": round(value, 3),
                }
            )
    return rows
