"""A month as published beside the same month graded another way: the weights and
grading-rule pages' preview, and the review of a re-grade before it is published.

Side A is always what the map shows (the month's published run, read as stored). Side B
is either computed here without saving anything (a preview) or a stored proposal run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from scoring.engine import ScoringMethod
from scoring.engine.compare import compare_tables
from scoring.engine.grades import ALL_GRADES
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun, StationScore
from scoring.selectors import current_run, load_period_inputs, scores_run
from stations.models import Station


@dataclass(frozen=True)
class ChangedRow:
    station: Station
    score_before: float | None
    score_after: float | None
    rank_before: int | None
    rank_after: int | None
    grade_before: GradeDisplay
    grade_after: GradeDisplay
    colour_changes: bool


@dataclass(frozen=True)
class ColourCount:
    grade: GradeDisplay
    before: int
    after: int
    leaving: int  # stations of this colour before that have another after
    joining: int  # stations of this colour after that had another before

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    period: date
    published: ScoreRun | None
    rows: list[ChangedRow]  # colour changes first, biggest score change first
    colours: list[ColourCount]
    changed: int

    @property
    def station_count(self) -> int:
        return len(self.rows)


def stored_table(run: ScoreRun | None) -> pd.DataFrame:
    """A run's stations as the engine's ``stations`` table (score, rank, grade)."""
    columns = ["score", "rank", "grade"]
    if run is None:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="station"))
    run = scores_run(run)  # an unchanged run has the rows of the run it matched
    rows = StationScore.objects.filter(run=run).values_list("station_id", *columns)
    table = pd.DataFrame.from_records(list(rows), columns=["station", *columns])
    table["score"] = pd.to_numeric(table["score"]).astype(float)
    table["rank"] = pd.to_numeric(table["rank"]).astype(float)
    return table.set_index("station")


def preview(
    company_id: int,
    period: date,
    *,
    weights: dict[str, Decimal] | None = None,
    method: ScoringMethod | None = None,
) -> Comparison:
    """The month as published beside the month under unsaved weights or an unsaved
    method (the other one as it governs the month). Nothing is saved."""
    inputs = load_period_inputs(company_id, period, weights=weights, method=method)
    computed = inputs.score().stations[["score", "rank", "grade"]]
    published = current_run(company_id, period)
    return _comparison(period, published, stored_table(published), computed)


def review(proposal: ScoreRun) -> Comparison:
    """A stored proposal beside the month as published."""
    published = current_run(proposal.company_id, proposal.period)
    return _comparison(proposal.period, published, stored_table(published), stored_table(proposal))


def _comparison(
    period: date, published: ScoreRun | None, before: pd.DataFrame, after: pd.DataFrame
) -> Comparison:
    table = compare_tables(before, after)
    stations = Station.objects.in_bulk(table.index.tolist())
    rows = [
        ChangedRow(
            station=stations[station_id],
            score_before=_number(row.score_before),
            score_after=_number(row.score_after),
            rank_before=_integer(row.rank_before),
            rank_after=_integer(row.rank_after),
            grade_before=grade_display(row.grade_before),
            grade_after=grade_display(row.grade_after),
            colour_changes=bool(row.colour_changes),
        )
        for station_id, row in zip(table.index, table.itertuples(), strict=True)
        if station_id in stations
    ]
    colours = []
    for code in ALL_GRADES:
        was, now = table["grade_before"] == code, table["grade_after"] == code
        colours.append(
            ColourCount(
                grade=grade_display(code),
                before=int(was.sum()),
                after=int(now.sum()),
                leaving=int((was & ~now).sum()),
                joining=int((now & ~was).sum()),
            )
        )
    return Comparison(
        period=period,
        published=published,
        rows=rows,
        colours=colours,
        changed=int(table["colour_changes"].sum()),
    )


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def _integer(value) -> int | None:
    return None if pd.isna(value) else int(value)


def waiting_proposal(company_id: int, period: date) -> ScoreRun | None:
    """The month's newest re-grade that waits to be published: asked by a weight or rule
    change, not published, and newer than the published run (older ones are stale)."""
    published = current_run(company_id, period)
    proposals = ScoreRun.objects.filter(
        company_id=company_id, period=period, publish=False, is_current=False
    ).order_by("-pk")
    if published is not None:
        proposals = proposals.filter(pk__gt=published.pk)
    return proposals.first()


def newer_data_note(company_id: int, period: date) -> str:
    """What a page says when the month has newer values than its published grades were
    computed with (the page shows the published grades with the values of their run):
    "waits" when a re-grade waits for an administrator to publish it, "scoring" when the
    re-grade is still on its way."""
    return "waits" if waiting_proposal(company_id, period) is not None else "scoring"
