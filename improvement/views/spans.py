"""What the branch-pairing and department-help pages share: both record work that runs a
span of months, show the month's proposal beside what is in force, and end a record early
the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import reverse

from improvement.forms import EndForm
from indicators.periods import PeriodError, format_period, parse_period
from scoring.viewer import MonthChoice, chosen_month, month_context


def month_page(request: HttpRequest) -> tuple[MonthChoice, dict[str, Any]]:
    """The chosen month and the context both pages start from (no county picker)."""
    month = chosen_month(request)
    return month, month_context(month, request) | {"counties": [], "county_id": None}


#: Records in force listed a page (``?in_force_page=``): a large company's thousands of
#: accepted pairings or help rows are not one page.
IN_FORCE_ROWS = 100


def in_force_page(request: HttpRequest, items: list) -> Page:
    """The ``?in_force_page=`` page of the records in force (the first for a missing or
    bad number, the last for one too large)."""
    return Paginator(items, IN_FORCE_ROWS).get_page(request.GET.get("in_force_page"))


def page_url(name: str, period: date | None) -> str:
    """The page ``name`` at ``period`` (the chosen month when None)."""
    url = reverse(name)
    return f"{url}?period={format_period(period)}" if period else url


def end_early(
    request: HttpRequest, item: Any, label: str, service: Callable[..., object], keyword: str
) -> bool:
    """Run the end service with the posted month; on failure, say why (as a message)."""
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        service(**{keyword: item, "end_month": form.cleaned_data["end_month"]})
    except ValidationError as error:
        messages.error(request, f"{label}: {' '.join(error.messages)}")
        return False
    item.refresh_from_db(fields=["end_month"])
    return True


def posted_period(request: HttpRequest) -> date | None:
    """The month the page was showing when a form on it was posted (None: not given)."""
    try:
        return parse_period(request.POST.get("period", ""))
    except PeriodError:
        return None
