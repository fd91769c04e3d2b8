"""System checks of the map pages' settings, shown by ``manage.py check`` and runserver.

The homepage widget is meant for the intranet portal's floating window; the portal may
frame it only when its origin is in ``WIDGET_FRAME_ANCESTORS``. Without one the widget
answers ``X-Frame-Options: DENY`` and the portal shows a broken frame, with nothing in
our logs to say why, so the administrator is told here (and on the admin's index page,
next to the embed snippet: ``mapviews.templatetags.widget_tags``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, register
from django.core.checks import Warning as CheckWarning

#: The check's id; an installation whose portal does not embed the widget silences it with
#: ``SILENCED_SYSTEM_CHECKS``.
WIDGET_NOT_FRAMEABLE = "mapviews.W001"


@register("widget")
def widget_frame_ancestors(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.WIDGET_FRAME_ANCESTORS:
        return []
    return [
        CheckWarning(
            "WIDGET_FRAME_ANCESTORS is empty: no intranet portal may frame the homepage "
            "widget (/widget/), so a portal that embeds it shows a broken frame.",
            hint=(
                "Set WIDGET_FRAME_ANCESTORS to the portal's origin, e.g. "
                "https://portal.intranet.example (docs/pages-and-maps.md, 'Embedding the "
                f"widget'). If no portal embeds the widget, add {WIDGET_NOT_FRAMEABLE} to "
                "SILENCED_SYSTEM_CHECKS (an environment variable, comma-separated)."
            ),
            id=WIDGET_NOT_FRAMEABLE,
        )
    ]
