"""What higher apps add to the station page, without mapviews importing them.

An app above mapviews (``improvement``) registers a context builder in its
``AppConfig.ready``; the station page calls every one for a viewer who may see the
station's detail and merges their template variables into its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stations.models import Station

#: (user, station) -> template variables of one section of the station page.
StationSection = Callable[[Any, Station], dict[str, Any]]

_station_sections: list[StationSection] = []


def add_station_section(builder: StationSection) -> None:
    """Register a section builder once (registering it again changes nothing)."""
    if builder not in _station_sections:
        _station_sections.append(builder)


def station_sections_context(user, station: Station) -> dict[str, Any]:
    """Every registered section's variables, for a viewer allowed to see the detail."""
    context: dict[str, Any] = {}
    for builder in _station_sections:
        context.update(builder(user, station))
    return context
