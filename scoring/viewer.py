"""What every month page shares: the viewer's company, the chosen month and county.

Also the one place that reads a month or an id from a request: a value that is not one
answers 400 with the reason (``BadRequest``, shown by templates/400.html), never a 500;
page numbers and sort keys are clamped instead (``paginate``, ``mapviews.sorting``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from indicators.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    PeriodError,
    add_months,
    format_period,
    parse_period,
)
from scoring.models import ScoreRun
from scoring.monthstate import is_provisional
from scoring.selectors import RegradeNote, current_runs, opening_period, regrade_note
from stations.models import Company
from stations.roles import own_station_id
from stations.viewer import counties, has_county, viewed_company


@dataclass(frozen=True)
class MonthChoice:
    company: Company | None
    runs: list[ScoreRun]
    period: date | None
    run: ScoreRun | None
    county_id: int | None

    @property
    def periods(self) -> list[date]:
        return [run.period for run in self.runs]

    def neighbour(self, step: int) -> str | None:
        if self.period is None:
            return None
        neighbour = add_months(self.period, step)
        return format_period(neighbour) if neighbour in self.periods else None


def chosen_month(request: HttpRequest, parameter: str = "period") -> MonthChoice:
    """The viewer's company, its scored months, and the ?period= / ?county= asked for."""
    company = viewed_company(request)
    runs = current_runs(company.pk) if company else []
    period = parse_month(request.GET.get(parameter, "")) or opening_period(runs)
    run = next((run for run in runs if run.period == period), None)
    county_id = parse_id(request.GET.get("county"))
    if county_id is not None and not (company and has_county(company.pk, county_id)):
        raise BadRequest(_("There is no such county: %s") % county_id)
    return MonthChoice(company=company, runs=runs, period=period, run=run, county_id=county_id)


#: Rows per page of the long tables (ranking, matrix); a company of 60 fits on one.
PAGE_SIZE = 100


def paginate(request: HttpRequest, rows, count: int | None = None) -> Page:
    """The ?page= slice of the rows, a list or a query (the first page for a missing or
    bad number); ``count``: how many rows there are, when the caller already counted."""
    paginator = Paginator(rows, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # type: ignore[misc]  # a cached property, set ahead
    return paginator.get_page(request.GET.get("page"))


def parse_month(text: str) -> date | None:
    """A ``YYYY-MM`` query parameter (None when empty); anything else is a bad request."""
    if not text:
        return None
    try:
        return parse_period(text)
    except PeriodError:
        raise BadRequest(
            _("%(value)s is not a month: write it as YYYY-MM, between %(first)d and %(last)d.")
            % {"value": _shortened(text), "first": FIRST_YEAR, "last": LAST_YEAR}
        ) from None


#: The largest id a table holds (a 64-bit primary key).
LARGEST_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None) -> int | None:
    """A record id from the request (None when empty); anything else is a bad request."""
    if not text:
        return None
    # ASCII digits only ("²" is a digit to str.isdigit), and few enough for int().
    if not (_ID.fullmatch(text) and 0 < int(text) <= LARGEST_ID):
        raise BadRequest(_("%s is not a record number.") % _shortened(text))
    return int(text)


def _shortened(text: str, length: int = 40) -> str:
    """A bad value as the error page repeats it: short, and without control characters."""
    shown = "".join(c if c.isprintable() else "?" for c in text[:length])
    return shown + ("…" if len(text) > length else "")


def lazy_regrade_note(month: MonthChoice) -> Callable[[], RegradeNote | None]:
    """The month's re-grade note as a callable the template calls (once, cached) when it
    shows the note: pages of the month that do not show it make no query for it."""

    @functools.cache
    def note() -> RegradeNote | None:
        if month.company is None or month.run is None or month.period is None:
            return None
        return regrade_note(month.company.pk, month.period)

    return note


def month_context(month: MonthChoice, request: HttpRequest) -> dict:
    """Template variables of the month stepper, the empty states and the re-grade note
    (``scoring/_regraded.html``; read only by a page that shows it)."""
    company = month.company
    return {
        "regrade": lazy_regrade_note(month),
        "company": company,
        "period": format_period(month.period) if month.period else None,
        "period_scored": month.run is not None,
        "provisional": is_provisional(month.run),
        "coverage_min_pct": month.run.method_params.get("coverage_min_pct") if month.run else None,
        "latest_period": format_period(month.periods[0]) if month.periods else None,
        "periods": [format_period(p) for p in month.periods],
        "previous_period": month.neighbour(-1),
        "next_period": month.neighbour(1),
        "counties": counties(company.pk) if company else [],
        "county_id": month.county_id,
        "own_station_id": own_station_id(request.user),
    }
