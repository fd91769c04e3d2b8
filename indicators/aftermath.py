"""What an import changed beyond its values, told by the apps above indicators.

The import's page shows what its values did to the grades, but grades are scoring's:
scoring registers a function here (in its ``ready``), as mapviews.panels lets
improvement fill the station page. Indicators never imports scoring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from indicators.models import ImportBatch

_PROVIDERS: list[Callable[[ImportBatch], list[Any]]] = []


def register(provider: Callable[[ImportBatch], list[Any]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def effects(batch: ImportBatch) -> list[Any]:
    """Every registered app's effects of the import (each app's own objects)."""
    found: list[Any] = []
    for provider in _PROVIDERS:
        found.extend(provider(batch))
    return found
