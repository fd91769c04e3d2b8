"""Small pieces of wording shared by views and templates."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class OwnMonthText:
    """The map's line for a viewer with a station, in three parts around the grade's
    badge: "梅林供电所 本月：" [绿 · 稍差] "第 46 名（共 60 个），上月：黄 · 落后"."""

    lead: str
    grade: GradeDisplay
    rest: str


def own_month_text(
    name: str,
    grade: GradeDisplay,
    rank: int | None,
    graded: int,
    previous: GradeDisplay | None,
    *,
    has_previous: bool,
    provisional: bool,
) -> OwnMonthText:
    """Your colour in words (``previous`` None: no grade last month)."""
    if provisional:
        lead = _("%(station)s this month (provisional):") % {"station": name}
    else:
        lead = _("%(station)s this month:") % {"station": name}
    parts = []
    if rank is not None:
        parts.append(_("rank %(rank)s of %(total)s") % {"rank": rank, "total": graded})
    if has_previous:
        if previous is None:
            parts.append(_("no grade last month"))
        else:
            parts.append(_("last month: %(grade)s") % {"grade": previous.label})
    return OwnMonthText(lead=lead, grade=grade, rest=list_separator().join(parts))
