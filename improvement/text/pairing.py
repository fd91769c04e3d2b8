"""The wording of the branch-pairing and department-help pages, in the viewer's
language: a pair's reasons as one sentence, and why a station has no partner."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from improvement.engine import (
    NO_PARTNER_GRADE,
    NO_PARTNER_IN_GROUP,
    NOT_NEEDED,
    PARTNERS_FULL,
    Strength,
    Unpaired,
)
from mapviews.text import list_separator
from scoring.grades import grade_display


@dataclass(frozen=True)
class ReasonLine:
    """One indicator of a pair's reason, normalised 0–100."""

    indicator: str  # its name
    weak: float
    strong: float
    median: float


def number(value: float | None) -> str:
    """A normalised value as shown in a reason: one decimal."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.1f}"


def enumeration(items: Iterable[str]) -> str:
    """Items named in a sentence: "a, b" in English, "a，b" in Chinese."""
    return list_separator().join(items)


def lines_from_strengths(strengths: Iterable[Strength], names: Mapping[str, str]) -> list:
    return [
        ReasonLine(names.get(s.indicator, s.indicator), s.weak_value, s.strong_value, s.median)
        for s in strengths
    ]


def lines_from_record(reasons: Iterable[dict], names: Mapping[str, str]) -> list:
    """The reasons a recorded pairing keeps: [{indicator, weak, strong, median}, …]."""
    return [
        ReasonLine(names.get(r["indicator"], r["indicator"]), r["weak"], r["strong"], r["median"])
        for r in reasons
    ]


def record_reasons(strengths: Iterable[Strength]) -> list[dict]:
    """The reasons as a pairing records them (JSON)."""
    return [
        {
            "indicator": s.indicator,
            "weak": round(s.weak_value, 4),
            "strong": round(s.strong_value, 4),
            "median": round(s.median, 4),
        }
        for s in strengths
    ]


def pair_sentence(weak: str, strong: str, lines: list[ReasonLine], km: float | None) -> str:
    """ "梅林供电所 is weak on 线损管理 (42.0 vs median 61.0); 鄞江供电所 scores 88.0 there ·
    52 km apart"."""
    if lines:
        weak_part = _("%(station)s is weak on %(indicators)s") % {
            "station": weak,
            "indicators": enumeration(
                _("%(indicator)s (%(value)s vs median %(median)s)")
                % {
                    "indicator": line.indicator,
                    "value": number(line.weak),
                    "median": number(line.median),
                }
                for line in lines
            ),
        }
        values = {"station": strong, "values": enumeration(number(line.strong) for line in lines)}
        if len(lines) == 1:
            strong_part = _("%(station)s scores %(values)s there") % values
        else:
            strong_part = _("%(station)s scores %(values)s there respectively") % values
        text = _("%(weakness)s; %(strength)s") % {"weakness": weak_part, "strength": strong_part}
    else:
        text = _(
            "%(strong)s is ahead of %(weak)s on no indicator where %(weak)s is below the "
            "median: no benefit"
        ) % {"weak": weak, "strong": strong}
    if km is not None:
        text += " · " + _("%(km)s km apart") % {"km": f"{km:.0f}"}
    return text


def unpaired_text(
    left: Unpaired,
    names: Mapping[int, str],
    partner_grade_taken: bool = False,
    *,
    within_county: bool = False,
) -> str:
    """Why the proposal gives a station no partner. ``partner_grade_taken``: stations of
    the partner grade exist but are all in pairings already; ``within_county``: the
    proposal paired within each county."""
    grade = grade_display(left.partner_grade).label
    if left.reason == PARTNERS_FULL:
        values = {
            "grade": grade,
            "station": names.get(left.best_partner, "–"),
            "benefit": f"{left.best_benefit:.2f}",
        }
        if within_county:
            return (
                _(
                    "Every %(grade)s station of its county already has a partner in the "
                    "proposal; %(station)s would help most (benefit %(benefit)s)."
                )
                % values
            )
        return (
            _(
                "Every %(grade)s station already has a partner in the proposal; %(station)s would "
                "help most (benefit %(benefit)s)."
            )
            % values
        )
    if left.reason == NOT_NEEDED:
        if within_county:
            return _("Not needed: every %(grade)s station of its county already has a partner.") % {
                "grade": grade
            }
        return _("Not needed: every %(grade)s station already has a partner.") % {"grade": grade}
    if left.reason == NO_PARTNER_IN_GROUP:
        return _("No station of its county is graded %(grade)s this month.") % {"grade": grade}
    if left.reason == NO_PARTNER_GRADE and partner_grade_taken:
        return _("Every %(grade)s station is already in a pairing.") % {"grade": grade}
    return _("No station is graded %(grade)s this month.") % {"grade": grade}
