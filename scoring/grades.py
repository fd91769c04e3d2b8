"""Grades as Django sees them: translated labels for the codes of ``scoring.engine.grades``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy

from scoring.engine.compute import LOW_COVERAGE, NO_DATA
from scoring.engine.grades import GRADE_COLOURS, GRADE_ORDER, UNGRADED, grade_position
from scoring.engine.method import DEFAULT_METHOD

COLOUR_NAMES = {
    "red": pgettext_lazy("grade colour", "Red"),
    "orange": pgettext_lazy("grade colour", "Orange"),
    "blue": pgettext_lazy("grade colour", "Blue"),
    "green": pgettext_lazy("grade colour", "Green"),
    "yellow": pgettext_lazy("grade colour", "Yellow"),
    "ungraded": pgettext_lazy("grade colour", "Grey"),
}
LEVEL_NAMES = {
    "red": pgettext_lazy("grade level", "Excellent"),
    "orange": pgettext_lazy("grade level", "Good"),
    "blue": pgettext_lazy("grade level", "Average"),
    "green": pgettext_lazy("grade level", "Weak"),
    "yellow": pgettext_lazy("grade level", "Lagging"),
    "ungraded": pgettext_lazy("grade level", "Ungraded"),
}

#: A grade's short label drawn on map areas and matrix cells (one character in Chinese).
SHORT_NAMES = {
    "red": pgettext_lazy("grade short", "Ex"),
    "orange": pgettext_lazy("grade short", "Gd"),
    "blue": pgettext_lazy("grade short", "Av"),
    "green": pgettext_lazy("grade short", "Wk"),
    "yellow": pgettext_lazy("grade short", "Lg"),
    "ungraded": pgettext_lazy("grade short", "–"),
}


def _label(code: str):
    return format_lazy("{} · {}", COLOUR_NAMES[code], LEVEL_NAMES[code])


class Grade(models.TextChoices):
    RED = "red", _label("red")
    ORANGE = "orange", _label("orange")
    BLUE = "blue", _label("blue")
    GREEN = "green", _label("green")
    YELLOW = "yellow", _label("yellow")
    UNGRADED = "ungraded", _label("ungraded")


@dataclass(frozen=True)
class GradeDisplay:
    """Everything a template needs to show a grade: never colour alone."""

    code: str
    colour_name: str
    level_name: str
    short_name: str
    fill: str
    text: str
    position: int | None

    @property
    def label(self) -> str:
        return f"{self.colour_name} · {self.level_name}"


def grade_display(code: str | None) -> GradeDisplay:
    code = code if code in GRADE_COLOURS else UNGRADED
    fill, text = GRADE_COLOURS[code]
    return GradeDisplay(
        code=code,
        colour_name=str(COLOUR_NAMES[code]),
        level_name=str(LEVEL_NAMES[code]),
        short_name=str(SHORT_NAMES[code]),
        fill=fill,
        text=text,
        position=grade_position(code),
    )


def all_grade_displays() -> list[GradeDisplay]:
    """The five grades best first, then ungraded: the legend order."""
    return [grade_display(code) for code in (*GRADE_ORDER, UNGRADED)]


#: Reason shown for a station that the month's run did not include (added later).
NOT_SCORED = "not_scored"


def ungraded_reason_text(
    reason: str, coverage: float | None = None, minimum_pct: float | None = None
) -> str:
    """Why a station has no grade, in the viewer's language.

    ``minimum_pct`` is the coverage minimum the month was scored with (from its run);
    the coverage is rounded down, so 79.6 % never reads as the 80 % it missed.
    """
    if reason == NO_DATA:
        return gettext("no data for this month")
    if reason == LOW_COVERAGE:
        minimum = DEFAULT_METHOD.coverage_min_pct if minimum_pct is None else minimum_pct
        return gettext("data for only %(coverage)d%% of the weight (%(minimum)g%% needed)") % {
            "coverage": math.floor(round((coverage or 0) * 100, 6)),
            "minimum": minimum,
        }
    if reason == NOT_SCORED:
        return gettext("not scored yet")
    return ""
