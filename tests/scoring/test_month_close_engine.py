"""The month close's rules, without a database (scoring.engine.monthclose)."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.engine.monthclose import ObjectionRefusal, objection_refusal, review_end

TODAY = date(2026, 12, 5)
ALLOWED = {
    "provisional": True,
    "review_until": date(2026, 12, 19),
    "today": TODAY,
    "has_open_objection": False,
    "graded": True,
    "reason": "planned maintenance counted",
}


@pytest.mark.parametrize(
    ("opened", "days", "end"),
    [
        (date(2026, 12, 5), 14, date(2026, 12, 19)),
        (date(2026, 12, 5), 0, date(2026, 12, 5)),
        (date(2026, 12, 25), 7, date(2027, 1, 1)),
        (date(2026, 12, 5), -3, date(2026, 12, 5)),
    ],
)
def test_the_review_ends_days_after_it_opens(opened, days, end):
    assert review_end(opened, days) == end


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({}, None),
        ({"review_until": None}, None),  # no end set: until closed
        ({"review_until": TODAY}, None),  # the last day still counts
        ({"provisional": False}, ObjectionRefusal.CLOSED),
        ({"review_until": date(2026, 12, 4)}, ObjectionRefusal.WINDOW_OVER),
        ({"graded": False}, ObjectionRefusal.NOT_GRADED),
        ({"has_open_objection": True}, ObjectionRefusal.ALREADY_OPEN),
        ({"reason": "   no  "}, ObjectionRefusal.NO_REASON),
        # The first rule broken is the one said.
        ({"provisional": False, "has_open_objection": True}, ObjectionRefusal.CLOSED),
    ],
)
def test_an_objection_is_refused_by_the_first_rule_it_breaks(change, refusal):
    assert objection_refusal(**(ALLOWED | change)) == refusal
