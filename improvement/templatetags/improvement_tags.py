from django import template

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
