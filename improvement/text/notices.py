"""A grade-drop notice in words, in the reader's language, and its link."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from improvement.models import Notification
from indicators.periods import format_period
from scoring.engine.gradechange import UNEXPLAINED, grade_steps
from scoring.gradechange import note_text
from scoring.grades import grade_display


def station_url(notice: Notification) -> str:
    """The station page at the notice's month."""
    path = reverse("mapviews:station", args=[notice.station.code])
    return f"{path}?period={format_period(notice.period)}"


def notice_text(notice: Notification) -> str:
    """The notice in the active language; the colour always with its label. When the
    score did not fall, it says why the grade did (a notice stored before the reason was
    kept says that the grade does not follow the score alone)."""
    data = notice.data
    text = gettext(
        "%(station)s dropped from %(before)s to %(after)s in %(month)s "
        "(score %(before_score)s → %(after_score)s)"
    ) % {
        "station": notice.station.name,
        "month": format_period(notice.period),
        "before": grade_display(data.get("from")).label,
        "after": grade_display(data.get("to")).label,
        "before_score": _score(data.get("from_score")),
        "after_score": _score(data.get("to_score")),
    }
    note = against_score_text(data)
    return f"{text} {note}" if note else text


def against_score_text(data: dict) -> str:
    """Why the grade fell although the score did not ("" when the score fell too)."""
    before, after = data.get("from_score"), data.get("to_score")
    if before is None or after is None:
        return ""
    direction = (after > before) - (after < before)
    if direction < 0:
        return ""
    steps = grade_steps(data.get("from", ""), data.get("to", "")) or -1
    return note_text(steps, direction, data.get("against_score") or UNEXPLAINED)


def rank_text(notice: Notification) -> str:
    before, after = notice.data.get("from_rank"), notice.data.get("to_rank")
    if before is None or after is None:
        return ""
    return gettext("rank %(before)s → %(after)s") % {"before": before, "after": after}


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
