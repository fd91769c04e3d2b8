"""A secretary project's progress, measured from the data (pure Python, no Django).

A project aims to bring one indicator of its station to at least ``goal_grade`` by
``goal_month``. Its *baseline* is the month before ``start_month`` (the grades that
prompted it); every published month from ``start_month`` on is a step. The state:

- ``waiting``: no month since the start has a value for the indicator yet;
- ``reached``: the latest month's indicator grade is the goal or better;
- ``missed``: the goal month has come and the goal is not reached;
- ``on_track`` / ``off_track``: otherwise, whether the indicator has covered at least
  the share of the way to the goal that the share of time gone asks for (off track
  when the goal's bar has fallen below the starting value and is still not reached:
  the value fell further). The way is
  from the baseline value to the value the goal grade starts at in the latest month
  (the thresholds move with the other stations, so the latest bar is the one to beat).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from indicators.periods import months_between
from scoring.engine.grades import UNGRADED, grade_position

WAITING = "waiting"
REACHED = "reached"
MISSED = "missed"
ON_TRACK = "on_track"
OFF_TRACK = "off_track"
#: States the bulletin counts as "on track" (the others, but waiting, are off track).
GOOD_STATES = (REACHED, ON_TRACK)
#: The bulletin's groups of projects, in its order: on track (reached or on track), off
#: track (missed or off track), waiting for data.
PROGRESS_GROUPS = (ON_TRACK, OFF_TRACK, WAITING)


def progress_group(state: str) -> str:
    """The bulletin group of a progress state (``PROGRESS_GROUPS``)."""
    if state == WAITING:
        return WAITING
    return ON_TRACK if state in GOOD_STATES else OFF_TRACK


@dataclass(frozen=True)
class ProgressMonth:
    period: date
    value: float | None  # the indicator's normalised value (0–100), None: no value
    grade: str  # the indicator's own grade that month (UNGRADED: no value)
    goal_threshold: float | None  # the value the goal grade started at that month


@dataclass(frozen=True)
class Progress:
    state: str
    baseline: ProgressMonth | None
    months: tuple[ProgressMonth, ...]  # the published months from the start, oldest first
    latest: ProgressMonth | None  # the newest month with a value
    #: latest value − baseline value (None without both).
    change: float | None
    #: What is still missing to the goal in the latest month (0 once reached).
    still_needed: float | None
    #: Share of the time from the baseline to the goal month gone by the latest month.
    time_share: float | None
    #: The month the change is counted from: the baseline, or the first month with a
    #: value when the baseline has none.
    start: ProgressMonth | None = None
    #: The way to the goal: from the start value to the latest goal bar (None: no bar).
    way: float | None = None

    @property
    def way_share(self) -> float | None:
        """How much of the way is covered (None when there is no way: no bar, or the bar
        is at or below the start)."""
        if self.way is None or self.way <= 0 or self.change is None:
            return None
        return self.change / self.way


def judge_progress(
    baseline: ProgressMonth | None,
    months: Sequence[ProgressMonth],
    *,
    goal_grade: str,
    goal_month: date,
) -> Progress:
    months = tuple(months)
    with_value = [month for month in months if month.value is not None]
    if not with_value:
        return Progress(WAITING, baseline, months, None, None, None, None)
    latest = with_value[-1]
    start = baseline if baseline is not None and baseline.value is not None else with_value[0]
    assert latest.value is not None and start.value is not None  # both chosen for a value
    change = round(latest.value - start.value, 2)
    goal = latest.goal_threshold
    still = None if goal is None else round(max(goal - latest.value, 0.0), 2)
    total = months_between(start.period, goal_month)
    time_share = 1.0 if total <= 0 else min(months_between(start.period, latest.period) / total, 1)
    way = None if goal is None else round(goal - start.value, 4)
    position = grade_position(latest.grade) if latest.grade != UNGRADED else None
    goal_position = grade_position(goal_grade)
    if position is not None and goal_position is not None and position <= goal_position:
        state = REACHED
    elif latest.period >= goal_month:
        state = MISSED
    else:
        # A bar that has fallen to or below where the project started is not reached
        # (that was checked above): the value has fallen further, which is off track.
        on_track = way is None or (way > 0 and change >= time_share * way - 1e-9)
        state = ON_TRACK if on_track else OFF_TRACK
    return Progress(
        state, baseline, months, latest, change, still, round(time_share, 4), start, way
    )
