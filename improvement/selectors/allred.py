"""The "all red" aim (打造“红色全优”供电所): how many stations are red month by month, and
which stations are closest to their next colour."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.periods import format_period
from mapviews.selectors import grade_counts_by_month
from scoring.engine.explain import next_grade_target
from scoring.engine.grades import RED, UNGRADED
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun
from scoring.selectors import current_scores
from stations.models import Station


def red_counts(company_id: int, county_id: int | None = None) -> pd.DataFrame:
    """Per scored month (oldest first): ``period`` (YYYY-MM), ``red``, ``graded``."""
    rows = pd.DataFrame(
        grade_counts_by_month(company_id, county_id), columns=["period", "grade", "count"]
    )
    if rows.empty:
        return pd.DataFrame(columns=["period", "red", "graded"])
    rows["red"] = rows["count"].where(rows["grade"] == RED, 0)
    rows["graded"] = rows["count"].where(rows["grade"] != UNGRADED, 0)
    months = rows.groupby("period", sort=True)[["red", "graded"]].sum().reset_index()
    months["period"] = months["period"].map(format_period)
    return months


@dataclass(frozen=True)
class NextColour:
    station: Station
    score: float
    rank: int | None
    grade: GradeDisplay
    target: GradeDisplay
    target_score: float
    gap: float  # points still missing


def closest_to_next_colour(
    run: ScoreRun, county_id: int | None = None, grade: str | None = None
) -> list[NextColour]:
    """Every graded station that is not red, with the next better colour within reach
    and how many points it still misses (this month's thresholds, its peer group's when
    the month was graded in groups), closest first."""
    summary = run.summary
    by_group = summary.get("peer_score_thresholds") or {}
    rows = []
    for score in current_scores(run.company_id, run.period, county_id):
        if grade and score.grade != grade:
            continue
        group = (score.flags or {}).get("peer_group")
        thresholds = by_group.get(group) if group is not None and by_group else None
        found = next_grade_target(
            score.score, score.grade, thresholds or summary.get("score_thresholds") or []
        )
        if found is None:
            continue
        target_grade, target_score = found
        rows.append(
            NextColour(
                station=score.station,
                score=score.score,
                rank=score.rank,
                grade=grade_display(score.grade),
                target=grade_display(target_grade),
                target_score=target_score,
                gap=round(target_score - score.score, 2),
            )
        )
    rows.sort(key=lambda row: (row.gap, row.station.code))
    return rows
