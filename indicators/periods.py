"""The monthly period: written ``YYYY-MM``, stored as the first day of that month.

This module is the one place that knows the format; everything else converts
through it. No Django imports, so the scoring engine and parsers can use it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PERIOD_FORMAT_HINT = "YYYY-MM"
#: The years a period may have. Later ones are typing mistakes, and every month a page
#: steps to (a year back for a trend, the month after for a proposal) must still be a
#: date that Python and pandas can hold (pandas stops in 2262).
FIRST_YEAR, LAST_YEAR = 1900, 2200


class PeriodError(ValueError):
    """A text that is not a valid ``YYYY-MM`` period."""


def parse_period(text: str) -> date:
    """'2025-03' -> date(2025, 3, 1). Raises PeriodError on anything else."""
    match = PERIOD_PATTERN.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise PeriodError(f"{text!r} is not a period of the form {PERIOD_FORMAT_HINT}")
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{text!r} is not between {FIRST_YEAR} and {LAST_YEAR}")
    return date(year, month, 1)


def coerce_period(value: object) -> date:
    """Accept a ``YYYY-MM`` string, or a date/datetime a spreadsheet stored for it."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    if isinstance(value, str):
        return parse_period(value)
    raise PeriodError(f"{value!r} is not a period of the form {PERIOD_FORMAT_HINT}")


def format_period(period: date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + (period.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months ``last`` is after ``first`` (negative when before)."""
    return (last.year - first.year) * 12 + (last.month - first.month)


def previous_period(period: date) -> date:
    return add_months(period, -1)


def period_range(first: date, last: date) -> list[date]:
    """Every month from first to last, both included."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def in_span(period: date, first: date | None, stop: date | None) -> bool:
    """``first <= period < stop``: a month inside a span of months that starts at
    ``first`` (None: always began) and ends before ``stop`` (None: never ends)."""
    return (first is None or first <= period) and (stop is None or period < stop)


def is_past(period: date, today: date) -> bool:
    """A month that has ended: before the current month (e.g. a due month gone by)."""
    return period < month_start(today)


def is_future(period: date, today: date) -> bool:
    """A period after the current month has no data yet."""
    return period > month_start(today)
