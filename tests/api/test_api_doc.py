"""docs/api.md is what a new feeding system follows: its examples use the demo's real
station codes, and it says where indicator codes come from and what a closed month does."""

from __future__ import annotations

import re
from pathlib import Path

from demo.company import station_rows

API_DOC = Path(__file__).resolve().parents[2] / "docs/api.md"


def test_the_examples_name_stations_of_the_demo():
    text = API_DOC.read_text(encoding="utf-8")
    named = set(re.findall(r'"station_code": "([^"]+)"', text))
    demo = {row["code"] for row in station_rows()}
    assert named and named <= demo
    assert "NB-HS" not in text


def test_it_says_where_codes_come_from_and_what_a_closed_month_does():
    text = API_DOC.read_text(encoding="utf-8")
    assert "GET /indicators/" in text
    assert "closed_months" in text and "re-grade" in text
    assert '"replayed": true' in text
