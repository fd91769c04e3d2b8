"""One lock per company-month, taken by everything that writes a month's data or scores:
indicator imports (every month of the file) and recomputes (their month).

PostgreSQL transaction-level advisory locks, always taken in ascending key order, so two
imports of overlapping months wait for each other instead of deadlocking on rows written
in different orders. SQLite already serialises writers (one write transaction at a time).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import OperationalError, connection

#: SQLSTATEs of a lock conflict that a fresh attempt can get past: deadlock detected,
#: serialization failure, lock not available (``lock_timeout``).
CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def company_month_key(company_id: int, period: date) -> int:
    """The advisory-lock key of a company's month (one scheme for every caller)."""
    return company_id * 1_000_000 + period.year * 100 + period.month


def lock_company_months(company_id: int, periods: Iterable[date]) -> None:
    """Hold the company's months until the transaction ends (call inside ``atomic``),
    taken in ascending order whatever order the caller gives."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({company_month_key(company_id, period) for period in periods})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def is_lock_conflict(error: OperationalError) -> bool:
    """Whether the database gave up on a lock (a retry may succeed): a PostgreSQL
    deadlock, serialization failure or lock timeout, or SQLite's "database is locked"."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(error)
