from django import template

from mapviews import text
from scoring.grades import GradeDisplay, grade_display, ungraded_reason_text

register = template.Library()


@register.inclusion_tag("mapviews/_grade_badge.html")
def grade_badge(grade: GradeDisplay | str | None, size: str = "") -> dict:
    """A grade as colour plus text label, never colour alone."""
    display = grade if isinstance(grade, GradeDisplay) else grade_display(grade)
    return {"grade": display, "size": size}


@register.simple_tag
def list_separator() -> str:
    return text.list_separator()


@register.simple_tag
def reason_text(reason: str, coverage: float | None = None, minimum_pct=None) -> str:
    return ungraded_reason_text(reason, coverage, minimum_pct)
