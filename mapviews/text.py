"""Small pieces of wording shared by views and templates."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from scoring.grades import GradeDisplay


def signed(value: float | None, decimals: int = 2) -> str:
    """A change with its sign: +3.20 / −1.05 / ±0.00 (``decimals`` places, half up);
    "–" when there is nothing to compare with."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return f"±{abs(rounded)}"
    return f"+{rounded}" if rounded > 0 else f"−{abs(rounded)}"


def list_separator() -> str:
    """Between items of an inline list: ", " in English, "，" in Chinese."""
    return pgettext("list separator", ", ")


def change_text(
    rank_change: int | None, grade_change: int | None, previous_grade: GradeDisplay | None
) -> str:
    """Since last month, in words: "up 10 places, was Yellow · Lagging"."""
    if rank_change is None:
        parts = [_("no rank last month")]
    elif rank_change > 0:
        parts = [ngettext("up %(n)d place", "up %(n)d places", rank_change) % {"n": rank_change}]
    elif rank_change < 0:
        parts = [
            ngettext("down %(n)d place", "down %(n)d places", -rank_change) % {"n": -rank_change}
        ]
    else:
        parts = [_("same rank")]
    if grade_change and previous_grade:
        parts.append(_("was %(grade)s") % {"grade": previous_grade.label})
    return list_separator().join(parts)
