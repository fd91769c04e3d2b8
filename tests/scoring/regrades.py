"""A published month re-graded by a weight change that moves colours, shared by the
re-grade tests of scoring (the pages) and improvement (the notices).

Three stations, September and October: S1 is strong on every indicator but safety, S3
on safety alone, S2 in the middle. Under the equal weights of version 1, S1 is red, S2
blue and S3 yellow (three stations: ranks 1, 2, 3 are red, blue, yellow). Under
``SAFETY_FIRST`` (safety 91, the nine others 1 each), S3 is red and S1 yellow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from indicators.models import Direction, Indicator
from scoring.services import create_weight_set
from stations.models import Station
from tests.builders import run_month, write_values
from tests.factories import OCTOBER, SEPTEMBER

__all__ = ["OCTOBER", "SAFETY_FIRST", "SEPTEMBER", "regrade_by_command", "score_strengths"]

SAFETY_FIRST = {"safety": Decimal(91)}  # the nine others 1 each


def _value(indicator: Indicator, level: str) -> float:
    higher = {"good": 90.0, "mid": 50.0, "bad": 10.0}
    lower = {"good": 5.0, "mid": 25.0, "bad": 50.0}
    return (higher if indicator.direction == Direction.HIGHER_IS_BETTER else lower)[level]


def score_strengths(stations: list[Station], period: date):
    """Write the month's values (S1 all but safety, S2 middling, S3 safety alone) and
    publish it under the weights in force."""
    s1, s2, s3 = stations
    values = {}
    for indicator in Indicator.objects.filter(active=True):
        safety = indicator.code == "safety"
        values.setdefault(s1, {})[indicator.code] = _value(indicator, "bad" if safety else "good")
        values.setdefault(s2, {})[indicator.code] = _value(indicator, "mid")
        values.setdefault(s3, {})[indicator.code] = _value(indicator, "good" if safety else "bad")
    write_values(period, values)
    return run_month(stations[0].county.company, period)


def safety_first_weights() -> dict[str, Decimal]:
    codes = Indicator.objects.filter(active=True).values_list("code", flat=True)
    return {code: SAFETY_FIRST.get(code, Decimal(1)) for code in codes}


def regrade_by_command(company, since: date, *, publish: bool = True):
    """Save the safety-first weights from ``since`` as ``set_weights`` does (``publish``:
    the re-grades publish at once) or as the web page does (they wait). Run it inside
    ``django_capture_on_commit_callbacks(execute=True)`` for the runs to execute."""
    return create_weight_set(
        company=company,
        weights=safety_first_weights(),
        effective_from=since,
        reason="安全优先",
        user=None,
        publish=publish,
    )
