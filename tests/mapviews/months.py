"""The months the page tests score; ``score_month`` is the one in tests/builders.py."""

from __future__ import annotations

from tests.builders import score_month
from tests.factories import OCTOBER, SEPTEMBER

__all__ = ["OCTOBER", "SEPTEMBER", "score_month"]
