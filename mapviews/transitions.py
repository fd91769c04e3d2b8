"""How stations moved between the grades of two months (pure Python, no ORM)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.engine.grades import ALL_GRADES, grade_position

#: A station that was not in one of the two months' results (added or retired since).
ABSENT = "absent"
CATEGORIES: tuple[str, ...] = (*ALL_GRADES, ABSENT)


@dataclass(frozen=True)
class Transitions:
    counts: dict[tuple[str, str], int]
    #: (station key, steps) for stations graded in both months whose grade changed;
    #: steps > 0 = a better grade. Largest moves first.
    moves: list[tuple[int, int]]


def grade_transitions(before: Mapping[int, str], after: Mapping[int, str]) -> Transitions:
    """Count stations by (grade in the first month, grade in the second)."""
    counts = {(a, b): 0 for a in CATEGORIES for b in CATEGORIES}
    moves = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, ABSENT), after.get(key, ABSENT)
        counts[(old, new)] += 1
        old_position, new_position = grade_position(old), grade_position(new)
        if old_position is not None and new_position is not None and old_position != new_position:
            moves.append((key, old_position - new_position))
    moves.sort(key=lambda move: -abs(move[1]))
    return Transitions(counts=counts, moves=moves)
