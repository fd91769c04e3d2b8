"""A notice (a grade drop, a re-grade's colour change) in words, in the reader's language,
and its link."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from improvement.models import Notification, NotificationKind
from indicators.periods import format_period
from scoring.engine.gradechange import UNEXPLAINED, grade_steps
from scoring.gradechange import note_text
from scoring.grades import grade_display
from scoring.regrade_text import changed_versions_text


def station_url(notice: Notification) -> str:
    """Where the notice leads: the station page at the notice's month, or for a missing
    data reminder the month's submissions of the indicator."""
    month = format_period(notice.period)
    if notice.station is None:
        path = reverse("improvement:submissions")
        return f"{path}?period={month}"
    path = reverse("mapviews:station", args=[notice.station.code])
    return f"{path}?period={month}"


def notice_text(notice: Notification) -> str:
    """The notice in the active language; the colour always with its label. When a
    drop's score did not fall, it says why the grade did (a notice stored before the reason
    was kept says that the grade does not follow the score alone)."""
    if notice.kind == NotificationKind.REGRADE:
        return regrade_text(notice)
    if notice.kind == NotificationKind.MISSING_DATA:
        return missing_text(notice)
    if notice.kind == NotificationKind.OBJECTION_ANSWERED:
        return objection_text(notice)
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


def missing_text(notice: Notification) -> str:
    """ "安全生产 of 2026-11: 12 of 60 stations have no value (due 2026-12-10)"."""
    data = notice.data
    name = notice.indicator.name if notice.indicator else data.get("indicator", "")
    return gettext(
        "%(indicator)s of %(month)s: %(missing)s of %(expected)s stations have no value "
        "(due %(due)s)"
    ) % {
        "indicator": name,
        "month": format_period(notice.period),
        "missing": data.get("missing", "?"),
        "expected": data.get("expected", "?"),
        "due": data.get("due", "–"),
    }


def objection_text(notice: Notification) -> str:
    data = notice.data
    template = (
        gettext(
            "Your objection to %(station)s's provisional grade of %(month)s was accepted: %(reply)s"
        )
        if data.get("status") == "accepted"
        else gettext(
            "Your objection to %(station)s's provisional grade of %(month)s was rejected: %(reply)s"
        )
    )
    return template % {
        "station": notice.station.name if notice.station else "",
        "month": format_period(notice.period),
        "reply": data.get("reply", ""),
    }


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


def regrade_text(notice: Notification) -> str:
    """ "S1 was re-graded in 2026-10 under weights v2: red · excellent → yellow · lagging
    (score 90.00 → 9.00)"."""
    data = notice.data
    return gettext(
        "%(station)s was re-graded in %(month)s under %(versions)s: %(before)s → %(after)s "
        "(score %(before_score)s → %(after_score)s)"
    ) % {
        "station": notice.station.name,
        "month": format_period(notice.period),
        "versions": changed_versions_text(
            data.get("weights"),
            data.get("method"),
            data.get("weights_before"),
            data.get("method_before"),
        ),
        "before": grade_display(data.get("from")).label,
        "after": grade_display(data.get("to")).label,
        "before_score": _score(data.get("from_score")),
        "after_score": _score(data.get("to_score")),
    }


def rank_text(notice: Notification) -> str:
    before, after = notice.data.get("from_rank"), notice.data.get("to_rank")
    if before is None or after is None:
        return ""
    return gettext("rank %(before)s → %(after)s") % {"before": before, "after": after}


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
