"""Which stations are weak in a month, and for how long (pure pandas, no Django).

A station is *weak* when it is graded green (稍差) or yellow (落后), or when any of its
indicators, graded on its own, is yellow: the committee's review lists exactly these.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence

import pandas as pd

from scoring.engine.grades import GREEN, YELLOW, grade_position

#: Station grades the committee reviews.
WEAK_GRADES: tuple[str, ...] = (GREEN, YELLOW)
#: An indicator grade that puts a station on the review whatever its colour.
LAGGING_INDICATOR_GRADE = YELLOW


def weak_stations(grades: pd.Series, indicator_grades: pd.DataFrame) -> list[Hashable]:
    """The weak stations of a month, worst first: by grade (yellow first), then by the
    number of yellow indicators (most first), then in the order given.

    ``grades``: station → grade; ``indicator_grades``: station × indicator."""
    lagging = indicator_grades.reindex(grades.index).eq(LAGGING_INDICATOR_GRADE).sum(axis=1)
    weak = grades.isin(WEAK_GRADES) | (lagging > 0)
    positions = [grade_position(grade) for grade in grades]
    order = pd.DataFrame(
        {
            "worse": [-1 if position is None else position for position in positions],
            "lagging": lagging,
            "given": range(len(grades)),
        },
        index=grades.index,
    )[weak]
    ordered = order.sort_values(["worse", "lagging", "given"], ascending=[False, False, True])
    return list(ordered.index)


def yellow_below(thresholds: Sequence[float | None] | None, decimals: int) -> float | None:
    """The value under which an indicator graded by ``thresholds`` (a month's stored
    ``indicator_thresholds``, best grade first) is yellow: a value that reaches none of the
    thresholds above yellow, compared at ``decimals`` as the grading does. None: nothing is
    graded on it (no thresholds); infinity: every value is yellow.

    The same rule as ``indicator_grades``, as one number a database query compares with
    (``improvement.selectors.weaklist``)."""
    if not thresholds:
        return None
    above_yellow = [t for t in thresholds[:-1] if t is not None]
    if not above_yellow:
        return math.inf
    # Stored values are already rounded to ``decimals``: a value below the rounded
    # threshold is one whole unit of the last decimal below it, as the grading compares.
    return round(min(above_yellow), decimals)


def lagging_indicators(indicator_grades: pd.Series) -> list[str]:
    """The indicators a station is graded yellow on (in the order given)."""
    return list(indicator_grades.index[indicator_grades == LAGGING_INDICATOR_GRADE])


def streak(grades_oldest_first: Sequence[str | None], weak: Collection[str]) -> int:
    """How many months in a row, up to the last one given, the grade was in ``weak``.
    A month without a grade (None) ends the run."""
    count = 0
    for grade in reversed(grades_oldest_first):
        if grade not in weak:
            break
        count += 1
    return count


def score_change(scores_oldest_first: Sequence[float | None], months: int) -> float | None:
    """The score now minus the score ``months`` months before (None if either is missing)."""
    if len(scores_oldest_first) <= months:
        return None
    now, before = scores_oldest_first[-1], scores_oldest_first[-1 - months]
    if now is None or before is None:
        return None
    return round(now - before, 2)
