from django import template

from indicators.periods import format_period
from mapviews import text
from scoring.grades import GradeDisplay, grade_display, ungraded_reason_text

register = template.Library()


@register.inclusion_tag("mapviews/_grade_badge.html")
def grade_badge(grade: GradeDisplay | str | None, size: str = "") -> dict:
    """A grade as colour plus text label, never colour alone."""
    display = grade if isinstance(grade, GradeDisplay) else grade_display(grade)
    return {"grade": display, "size": size}


@register.filter
def signed(value: float | None) -> str:
    """+3.20 / −1.05 / ±0.00: a change with its sign, two decimals."""
    return text.signed(value)


@register.filter
def period(value) -> str:
    """A month as ``YYYY-MM`` (``indicators.periods``, the one place of that format)."""
    if not value:
        return ""
    return format_period(value)


@register.simple_tag
def list_separator() -> str:
    return text.list_separator()


@register.simple_tag
def reason_text(reason: str, coverage: float | None = None, minimum_pct=None) -> str:
    return ungraded_reason_text(reason, coverage, minimum_pct)
