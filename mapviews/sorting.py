"""Sortable tables: the ?sort=&dir= a header link asks for, checked against the page's keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.http import HttpRequest, QueryDict

Row = TypeVar("Row")


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool
    query: QueryDict

    def page_link(self, number: int) -> str:
        """Query string of another page of the same table."""
        query = self.query.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    def link(self, key: str, descending_first: bool = False) -> str:
        """Query string of a header link: the same key flips the order."""
        query = self.query.copy()
        descending = not self.descending if key == self.key else descending_first
        query["sort"] = key
        query["dir"] = "desc" if descending else "asc"
        query.pop("page", None)  # a new order starts on its first page
        return "?" + query.urlencode()


def chosen_sort(
    request: HttpRequest, keys: Sequence[str], default: str, descending: bool = False
) -> Sort:
    key = request.GET.get("sort", "")
    if key not in keys:
        return Sort(default, descending, request.GET)
    return Sort(key, request.GET.get("dir") == "desc", request.GET)


def sort_rows(rows: list[Row], value: Callable[[Row], object], descending: bool) -> list[Row]:
    """Sort by ``value``; rows without a value (None) always go last."""
    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    return sorted(present, key=value, reverse=descending) + missing
