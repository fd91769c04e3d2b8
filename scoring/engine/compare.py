"""The same month under two methods or weight versions, side by side (pure pandas)."""

from __future__ import annotations

import pandas as pd

from scoring.engine.compute import PeriodScores
from scoring.engine.grades import ALL_GRADES


def compare_months(before: PeriodScores, after: PeriodScores) -> pd.DataFrame:
    """One row per station: score, rank and grade under each, and whether the colour
    changes; the stations that change colour first (biggest score change first)."""
    return compare_tables(before.stations, after.stations)


def compare_tables(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """``compare_months`` on two tables of score, rank and grade by station (a stored
    run's rows or the engine's ``stations``)."""
    table = before[["score", "rank", "grade"]].join(
        after[["score", "rank", "grade"]], how="outer", lsuffix="_before", rsuffix="_after"
    )
    table["grade_before"] = table["grade_before"].fillna("ungraded")
    table["grade_after"] = table["grade_after"].fillna("ungraded")
    table["score_change"] = table["score_after"] - table["score_before"]
    table["colour_changes"] = table["grade_before"] != table["grade_after"]
    order = table.assign(_size=table["score_change"].abs().fillna(0)).sort_values(
        ["colour_changes", "_size"], ascending=[False, False], kind="stable"
    )
    return order.drop(columns="_size")


def transition_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Stations per (grade before, grade after): the 6 × 6 table of a comparison."""
    counts = pd.crosstab(table["grade_before"], table["grade_after"])
    return counts.reindex(index=ALL_GRADES, columns=ALL_GRADES, fill_value=0)
