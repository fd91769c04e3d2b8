"""The homepage widget's embed snippet and framing settings, for the admin's index page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mapviews.checks import WIDGET_NOT_FRAMEABLE

register = template.Library()

#: The documented frame (docs/pages-and-maps.md); the widget's layout fits it.
FRAME_WIDTH, FRAME_HEIGHT = 380, 520


@register.inclusion_tag("mapviews/_widget_embed.html", takes_context=True)
def widget_embed(context: template.Context) -> dict[str, Any]:
    """What an administrator needs to put the widget on the portal: the snippet with this
    site's address, and who may frame it now (the settings, never guessed)."""
    request = context.get("request")
    path = reverse("mapviews:widget")
    url = request.build_absolute_uri(path) if request is not None else path
    snippet = (
        f'<iframe src="{url}" width="{FRAME_WIDTH}" height="{FRAME_HEIGHT}"\n'
        f'        style="border:0" title="{_("Five-colour station map")}"></iframe>'
    )
    return {
        "snippet": snippet,
        "origins": list(settings.WIDGET_FRAME_ANCESTORS),
        "public": settings.WIDGET_PUBLIC,
        "check_id": WIDGET_NOT_FRAMEABLE,
    }
