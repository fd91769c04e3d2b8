from django import template

from audit.labels import stored_text as _stored_text

register = template.Library()


@register.filter
def stored_text(value) -> str:
    """A text the code stored (a role group's name, a set-up reason) in the reader's
    language (``audit.labels``)."""
    return _stored_text(value) if isinstance(value, str) else value
