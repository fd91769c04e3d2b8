from django import template

from improvement.text.bulletin import months_text, weak_streak_text
from improvement.text.labels import PROGRESS_STATES

register = template.Library()


@register.filter
def progress_label(state: str) -> str:
    """A secretary project's progress state in the reader's language."""
    return str(PROGRESS_STATES.get(state, state))


@register.filter
def partner_for(pairing, station):
    """A branch pairing's other station as seen from ``station`` (``Partner``)."""
    return pairing.partner_of(station.pk)


@register.filter
def weak_streak(months: int) -> str:
    """A station's weak streak, in the bulletin's numbers ("24+" past the months read)."""
    return weak_streak_text(months)


@register.filter
def months_of(months: int, counted: int) -> str:
    """An indicator's weak run in the review's ``counted`` months ("12+ months" for all)."""
    return months_text(months, counted)
