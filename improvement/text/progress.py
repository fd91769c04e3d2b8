"""A secretary project's progress in plain words, in the reader's language: the state's
label (``improvement.text.labels``) and one sentence that says why (``improvement.engine.progress``
decides the state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from improvement.engine.progress import (
    MISSED,
    ON_TRACK,
    REACHED,
    WAITING,
    Progress,
    ProgressMonth,
)
from improvement.text.labels import PROGRESS_STATES
from indicators.periods import format_period
from mapviews.text import signed
from scoring.grades import grade_display


@dataclass(frozen=True)
class ProgressText:
    state: str
    label: str
    sentence: str


def describe_progress(
    progress: Progress, *, indicator: str, goal_grade: str, goal_month: date, start_month: date
) -> ProgressText:
    goal = grade_display(goal_grade).label
    label = str(PROGRESS_STATES[progress.state])
    if progress.state == WAITING:
        sentence = _(
            "Waiting for data: no month from %(start)s on has been published with a value "
            "for %(indicator)s yet."
        ) % {"start": format_period(start_month), "indicator": indicator}
        return ProgressText(progress.state, label, sentence)
    latest = progress.latest
    start = progress.start
    facts = {
        "indicator": indicator,
        "goal": goal,
        "goal_month": format_period(goal_month),
        "grade": grade_display(latest.grade).label,
        "latest": format_period(latest.period),
        "change": signed(progress.change, 1),
        "since": format_period(start.period),
        "still": f"{progress.still_needed or 0:.1f}",
        "time": round((progress.time_share or 0) * 100),
    }
    return ProgressText(progress.state, label, _sentence(progress, start, facts))


def _sentence(progress: Progress, start: ProgressMonth, facts: dict) -> str:
    if progress.state == REACHED:
        return (
            _(
                "Goal reached: %(indicator)s is %(grade)s in %(latest)s, at least %(goal)s "
                "(%(change)s on its 0–100 scale since %(since)s)."
            )
            % facts
        )
    if progress.state == MISSED:
        if progress.still_needed is None:
            return (
                _(
                    "Goal missed: %(goal_month)s has come and %(indicator)s is %(grade)s in "
                    "%(latest)s, below %(goal)s."
                )
                % facts
            )
        return (
            _(
                "Goal missed: %(goal_month)s has come and %(indicator)s is %(grade)s in "
                "%(latest)s, %(still)s below where %(goal)s starts."
            )
            % facts
        )
    prefix = _("On track:") if progress.state == ON_TRACK else _("Off track:")
    facts = {**facts, "prefix": prefix}
    way = progress.way_share
    if way is None:
        return (
            _(
                "%(prefix)s %(change)s on its 0–100 scale since %(since)s; %(still)s still "
                "needed to reach %(goal)s, with %(time)d %% of the time to %(goal_month)s gone."
            )
            % facts
        )
    if progress.change < 0:
        return (
            _(
                "%(prefix)s %(change)s on its 0–100 scale since %(since)s: further from "
                "%(goal)s than at the start, with %(time)d %% of the time to %(goal_month)s "
                "gone."
            )
            % facts
        )
    return _(
        "%(prefix)s %(change)s on its 0–100 scale since %(since)s, %(way)d %% of the way "
        "to %(goal)s with %(time)d %% of the time to %(goal_month)s gone."
    ) % {**facts, "way": round(way * 100)}
