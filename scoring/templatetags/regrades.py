"""The re-grade note of a month's pages (``scoring.regrade_text``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from scoring import regrade_text
from scoring.selectors import RegradeNote

register = template.Library()


@register.simple_tag(takes_context=True)
def regrade_sentence(context, note: RegradeNote, short: bool = False) -> SafeString | str:
    """The page's sentence, with links for a viewer who may open the versions; ``short``:
    the widget's one line."""
    if short:
        return regrade_text.regrade_short(note)
    return regrade_text.regrade_sentence(note, context.get("user"))
