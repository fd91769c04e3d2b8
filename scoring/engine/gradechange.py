"""When a station's grade moved against its score between two months, and why (pure).

A grade that falls while the score rises (or rises while it falls, or changes while the
score stands still) looks like a mistake unless the page says why. It cannot happen when
both months were graded by the same fixed thresholds, under the same weights and method
and without a cap: then the grade is a rising step function of the score. Every other
case has a reason the engine knows, checked in this order:

1. ``CAP``: a grading rule (cap) limited the grade in one of the two months.
2. ``NEW_RULES``: the months were graded under different weight or method versions.
3. ``PEER_GROUP``: the station was graded within another peer group.
4. ``OTHERS_IMPROVED_MORE`` / ``OTHERS_IMPROVED_LESS``: league-table grading (a fixed
   share per colour): the grade is a place among the others, so it fell because others
   improved more, or rose because others improved less (or fell further).
5. ``THRESHOLDS_MOVED``: the scores the colours start at differ between the months
   (natural breaks are found anew every month).
6. ``UNEXPLAINED``: none of the above was recorded (a month stored before runs kept it).

The wording of each reason is in ``scoring.gradechange`` (translated).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.engine.grades import grade_position
from scoring.engine.method import QUOTAS

CAP = "cap"
NEW_RULES = "new_rules"
PEER_GROUP = "peer_group"
OTHERS_IMPROVED_MORE = "others_improved_more"
OTHERS_IMPROVED_LESS = "others_improved_less"
THRESHOLDS_MOVED = "thresholds_moved"
UNEXPLAINED = "unexplained"
REASONS = (
    CAP,
    NEW_RULES,
    PEER_GROUP,
    OTHERS_IMPROVED_MORE,
    OTHERS_IMPROVED_LESS,
    THRESHOLDS_MOVED,
    UNEXPLAINED,
)


@dataclass(frozen=True)
class GradedMonth:
    """What a run recorded about one station's grade in one month.

    ``versions``: anything that identifies the weights and method the month was graded
    with (e.g. the weight and method version ids and the method's parameters); two months
    with equal ``versions`` were graded under the same rules.
    ``thresholds``: the score each grade started at (red to green) for this station.
    """

    grade: str
    score: float | None
    grading: str
    versions: tuple = ()
    capped: bool = False
    peer_group: str | None = None
    thresholds: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Contradiction:
    """A grade change against the score change, with the reason (one of ``REASONS``)."""

    steps: int  # grades gained (+, towards red) or lost (−)
    score_change: float
    reason: str

    @property
    def score_direction(self) -> int:
        """+1 the score rose, −1 it fell, 0 it did not move."""
        return (self.score_change > 0) - (self.score_change < 0)


def grade_steps(before: str, after: str) -> int | None:
    """Grades gained from ``before`` to ``after`` (None when either is ungraded)."""
    old, new = grade_position(before), grade_position(after)
    if old is None or new is None:
        return None
    return old - new


def contradiction(before: GradedMonth, after: GradedMonth) -> Contradiction | None:
    """The contradiction between the two months, or None when the grade stayed, either
    month is ungraded, or the score moved the same way as the grade."""
    steps = grade_steps(before.grade, after.grade)
    if not steps or before.score is None or after.score is None:
        return None
    # Scores are stored rounded; compare at a precision finer than any stored one.
    change = round(after.score - before.score, 6)
    if (steps > 0 and change > 0) or (steps < 0 and change < 0):
        return None
    return Contradiction(steps=steps, score_change=change, reason=_reason(before, after, steps))


def _reason(before: GradedMonth, after: GradedMonth, steps: int) -> str:
    if before.capped or after.capped:
        return CAP
    if before.versions != after.versions:
        return NEW_RULES
    if before.peer_group != after.peer_group:
        return PEER_GROUP
    if after.grading == QUOTAS:
        return OTHERS_IMPROVED_MORE if steps < 0 else OTHERS_IMPROVED_LESS
    if before.thresholds != after.thresholds:
        return THRESHOLDS_MOVED
    return UNEXPLAINED
