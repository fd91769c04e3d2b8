"""Small pieces of wording shared by views and templates."""

from django.utils.translation import pgettext


def list_separator() -> str:
    """Between items of an inline list: ", " in English, "，" in Chinese."""
    return pgettext("list separator", ", ")
