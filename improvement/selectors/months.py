"""A month's published grades as DataFrames for the improvement engine."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import SupportsInt, cast

import numpy as np
import pandas as pd

from indicators.models import Indicator
from indicators.periods import add_months
from scoring.engine import indicator_grades
from scoring.engine.gradechange import Contradiction
from scoring.gradechange import score_contradiction
from scoring.models import ScoreRun, StationScore
from scoring.selectors import (
    current_run,
    month_rows,
)

#: The columns of a run's rows ``month_frames`` reads.
MONTH_ROW = ("station_id", "score", "rank", "grade", "normalised")


def as_station_id(label: Hashable) -> int:
    """The station id a month's frames label a row with (the engines take any hashable
    label; ``MonthGrades`` frames are indexed by station id)."""
    return int(cast(SupportsInt, label))


@dataclass(frozen=True)
class MonthGrades:
    """One company-month as published, shaped for the improvement engine.

    ``scores``: index station id; columns ``score``, ``rank``, ``grade``.
    ``normalised`` and ``indicator_grades``: station × indicator code (the month's
    counted indicators in display order); NaN / "ungraded" where a station has no value.
    """

    period: date
    run: ScoreRun
    scores: pd.DataFrame
    normalised: pd.DataFrame
    indicator_grades: pd.DataFrame

    @property
    def grades(self) -> pd.Series:
        return self.scores["grade"]

    @property
    def codes(self) -> list[str]:
        return list(self.normalised.columns)

    @property
    def raw_medians(self) -> dict[str, float]:
        """Each indicator's company median of the raw values (as the run stored it)."""
        return self.run.summary.get("indicator_medians", {})


def month_codes(run: ScoreRun) -> list[str]:
    """The indicators the run graded, in display order."""
    graded = run.summary.get("indicator_thresholds", {})
    ordered = Indicator.objects.filter(code__in=list(graded)).order_by("display_order", "code")
    return list(ordered.values_list("code", flat=True))


def month_grades(
    company_id: int, period: date, station_ids: list[int] | None = None
) -> MonthGrades | None:
    """The published grades of the month (None when it is not scored), of every station
    or of the given ones."""
    run = current_run(company_id, period)
    if run is None:
        return None
    rows = month_rows(company_id, period)
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
    found = list(rows.order_by("station_id").values_list(*MONTH_ROW))
    return month_frames(run, month_codes(run), found)


def month_frames(run: ScoreRun, codes: list[str], found: list[tuple]) -> MonthGrades:
    """The frames of a run's rows as read (``MONTH_ROW``), in the order given."""
    index = pd.Index([row[0] for row in found], name="station")
    scores = pd.DataFrame(
        {
            "score": pd.array([row[1] for row in found], dtype="Float64"),
            "rank": pd.array([row[2] for row in found], dtype="Int64"),
            "grade": [row[3] for row in found],
        },
        index=index,
    )
    matrix = np.full((len(found), len(codes)), np.nan)
    column = {code: i for i, code in enumerate(codes)}
    for r, row in enumerate(found):
        for code, value in (row[4] or {}).items():
            if code in column and value is not None:
                matrix[r, column[code]] = value
    normalised = pd.DataFrame(matrix, index=index, columns=codes)
    thresholds = run.summary.get("indicator_thresholds", {})
    return MonthGrades(
        period=run.period,
        run=run,
        scores=scores,
        normalised=normalised,
        indicator_grades=indicator_grades(normalised, thresholds),
    )


def grade_history(
    company_id: int, station_ids: list[int], period: date, months: int
) -> dict[date, MonthGrades]:
    """The ``months`` published months up to ``period`` (oldest first) for the given
    stations; months that were not scored are left out."""
    first = add_months(period, -(months - 1))
    runs = {
        run.period: run
        for run in ScoreRun.objects.filter(
            company_id=company_id, is_current=True, period__gte=first, period__lte=period
        ).only(
            "period",
            "summary",
            "company_id",
            # What a grade change against the score is explained by (scoring.gradechange).
            "method",
            "method_params",
            "weight_set_id",
            "method_version_id",
        )
    }
    if not runs:
        return {}
    codes = month_codes(runs[max(runs)])
    rows = month_rows_between(company_id, station_ids, first, period)
    by_month: dict[date, list[tuple]] = {}
    for month, *row in rows:
        by_month.setdefault(month, []).append(tuple(row))
    return {
        month: month_frames(runs[month], codes, by_month.get(month, [])) for month in sorted(runs)
    }


def month_rows_between(
    company_id: int, station_ids: list[int], first: date, last: date
) -> list[tuple]:
    """(period, station, score, rank, grade, normalised) of the published months."""
    return list(
        StationScore.objects.filter(
            run__company_id=company_id,
            run__is_current=True,
            station_id__in=station_ids,
            period__gte=first,
            period__lte=last,
        )
        .order_by("period", "station_id")
        .values_list("period", "station_id", "score", "rank", "grade", "normalised")
    )


def station_flags(run: ScoreRun, station_ids: list[int]) -> dict[int, dict]:
    """The flags a run stored (caps, peer groups, carried values) of the given stations."""
    rows = StationScore.objects.filter(run=run, station_id__in=station_ids)
    return dict(rows.values_list("station_id", "flags"))


def month_contradiction(
    before: MonthGrades | None,
    now: MonthGrades,
    station_id: int,
    flags: tuple[dict[int, dict], dict[int, dict]],
) -> Contradiction | None:
    """Whether the station's grade moved against its score from ``before`` to ``now``
    (``flags``: each month's ``station_flags``)."""
    if (
        before is None
        or station_id not in before.scores.index
        or station_id not in now.scores.index
    ):
        return None
    was, is_now = before.scores.loc[station_id], now.scores.loc[station_id]
    return score_contradiction(
        (before.run, was["grade"], _score(was["score"]), flags[0].get(station_id)),
        (now.run, is_now["grade"], _score(is_now["score"]), flags[1].get(station_id)),
    )


def _score(value) -> float | None:
    return None if pd.isna(value) else float(value)
