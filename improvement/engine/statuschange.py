"""Status × change: a station's level now and its score change since an earlier month,
on a 5 × 5 grid (after the California School Dashboard), so that improvement earns
visible credit whatever the level (pure, no Django).

- **Level**: the station's grade this month (red best … yellow).
- **Change**: its score now minus its score in the month compared with (a year or a
  quarter before), in five bands (``CHANGE_BANDS``, best last): declined significantly
  (Δ ≤ −5 points), declined (−5 < Δ ≤ −1), maintained (−1 < Δ < +1), increased
  (+1 ≤ Δ < +5), increased significantly (Δ ≥ +5).
- **Combined colour** of each cell (``COMBINED``): the dashboard's table with its colours
  put on ours (its blue, green, yellow, orange, red, best first, become our red, orange,
  blue, green, yellow). A level keeps its colour when maintained; a significant increase
  lifts it (up to two colours for the lowest levels), a decline lowers it.

Stations graded now without a score in the month compared with are listed apart
("no comparison"); stations not graded now have no level and are left out.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from scoring.engine.grades import BLUE, GRADE_ORDER, GREEN, ORANGE, RED, YELLOW

#: Points of score change at which a change counts (``change_band``).
SMALL_CHANGE = 1.0
SIGNIFICANT_CHANGE = 5.0

DECLINED_SIGNIFICANTLY = "declined_significantly"
DECLINED = "declined"
MAINTAINED = "maintained"
INCREASED = "increased"
INCREASED_SIGNIFICANTLY = "increased_significantly"
#: The change bands, worst first (the grid's columns).
CHANGE_BANDS = (DECLINED_SIGNIFICANTLY, DECLINED, MAINTAINED, INCREASED, INCREASED_SIGNIFICANTLY)

#: The combined colour of (level, change): rows are the levels best first, columns the
#: change bands worst first.
COMBINED: dict[str, tuple[str, ...]] = {
    RED: (BLUE, ORANGE, RED, RED, RED),
    ORANGE: (GREEN, BLUE, ORANGE, ORANGE, RED),
    BLUE: (GREEN, GREEN, BLUE, ORANGE, ORANGE),
    GREEN: (YELLOW, GREEN, GREEN, BLUE, BLUE),
    YELLOW: (YELLOW, YELLOW, YELLOW, GREEN, BLUE),
}


def change_band(change: float) -> str:
    """The band of a score change in points (compared at 6 decimals: scores are stored
    rounded, and 78.89 − 77.89 must count as +1)."""
    change = round(change, 6)
    if change <= -SIGNIFICANT_CHANGE:
        return DECLINED_SIGNIFICANTLY
    if change <= -SMALL_CHANGE:
        return DECLINED
    if change < SMALL_CHANGE:
        return MAINTAINED
    if change < SIGNIFICANT_CHANGE:
        return INCREASED
    return INCREASED_SIGNIFICANTLY


def combined_colour(level: str, band: str) -> str:
    return COMBINED[level][CHANGE_BANDS.index(band)]


@dataclass(frozen=True)
class StationChange:
    key: Hashable  # the caller's station key
    level: str
    score_now: float
    score_before: float | None

    @property
    def change(self) -> float | None:
        if self.score_before is None:
            return None
        return round(self.score_now - self.score_before, 6)


@dataclass(frozen=True)
class Cell:
    level: str
    band: str
    colour: str
    stations: list[StationChange] = field(default_factory=list)


@dataclass(frozen=True)
class Grid:
    rows: list[list[Cell]]  # levels best first × bands worst first
    no_comparison: list[StationChange]

    def cell(self, level: str, band: str) -> Cell:
        return self.rows[GRADE_ORDER.index(level)][CHANGE_BANDS.index(band)]

    @property
    def compared(self) -> int:
        return sum(len(cell.stations) for row in self.rows for cell in row)


def status_change_grid(
    stations: list[tuple[Hashable, str, float | None, float | None]],
) -> Grid:
    """The grid of (key, grade now, score now, score before) rows. In each cell the
    stations that improved most come first."""
    rows = [
        [Cell(level, band, combined_colour(level, band)) for band in CHANGE_BANDS]
        for level in GRADE_ORDER
    ]
    no_comparison = []
    for key, grade, score_now, score_before in stations:
        if grade not in GRADE_ORDER or score_now is None:
            continue
        item = StationChange(key, grade, float(score_now), score_before)
        if item.change is None:
            no_comparison.append(item)
            continue
        band = change_band(item.change)
        rows[GRADE_ORDER.index(grade)][CHANGE_BANDS.index(band)].stations.append(item)
    for row in rows:
        for cell in row:
            cell.stations.sort(key=lambda item: -(item.change or 0))
    no_comparison.sort(key=lambda item: (GRADE_ORDER.index(item.level), -item.score_now))
    return Grid(rows=rows, no_comparison=no_comparison)
