"""The committee's review of a month's weak stations: for each, its weak indicators
against the company median, how long it has been weak, its trend, and what is being done.

The weak stations are found for the whole month at once (``engine.weakness``); their
details are read only for the rows shown (a page of them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from improvement.engine.weakness import WEAK_GRADES, score_change, streak
from improvement.selectors import MonthGrades, StationWork, work_by_station
from improvement.selectors.bulletin import STREAK_MONTHS
from improvement.selectors.months import (
    MONTH_ROW,
    month_codes,
    month_frames,
    month_rows_between,
    station_flags,
)
from improvement.selectors.weaklist import weak_streaks
from indicators.models import Indicator
from indicators.periods import add_months
from mapviews.selectors import month_values
from scoring.engine import grade_from_thresholds
from scoring.engine.grades import grade_position
from scoring.gradechange import contradiction_text, score_contradiction
from scoring.grades import GradeDisplay, grade_display
from scoring.models import ScoreRun, StationScore
from stations.models import Station

#: How far back the review looks for streaks and the trend line.
HISTORY_MONTHS = 12
#: The trend is the score change over this many months.
TREND_MONTHS = 3


@dataclass(frozen=True)
class WeakIndicator:
    indicator: Indicator
    value: float | None  # raw value, in the indicator's unit
    median: float | None  # company median of the raw values
    normalised: float | None
    grade: GradeDisplay
    months_weak: int  # months in a row graded green or yellow on it, up to this one
    attended: bool  # some open measure, help or project works on it


@dataclass(frozen=True)
class ReviewRow:
    station: Station
    score: float | None
    rank: int | None
    grade: GradeDisplay
    previous_grade: GradeDisplay | None
    #: Months in a row graded green or yellow, up to this one, counted as the bulletin
    #: counts them (back to STREAK_MONTHS + 1: more than STREAK_MONTHS reads "24+").
    months_weak: int
    weak_indicators: list[WeakIndicator]
    trend: float | None  # score change over TREND_MONTHS months
    scores: list[float | None]  # the last HISTORY_MONTHS months, oldest first
    grades: list[str]
    work: StationWork
    #: Why the grade moved against the score since last month ("" when it did not).
    grade_note: str = ""

    @property
    def unattended(self) -> bool:
        return self.work.is_empty

    @property
    def worst_indicator(self) -> WeakIndicator | None:
        return self.weak_indicators[0] if self.weak_indicators else None


def page_grades(run: ScoreRun, station_ids: list[int]) -> MonthGrades:
    """The run's grades of the stations of a page (in the order given)."""
    rows = StationScore.objects.filter(run=run, station_id__in=station_ids)
    by_station = {row[0]: row for row in rows.values_list(*MONTH_ROW)}
    return month_frames(
        run, month_codes(run), [by_station[sid] for sid in station_ids if sid in by_station]
    )


def review_rows(
    month: MonthGrades,
    company_id: int,
    station_ids: list[int],
    work: dict[int, StationWork] | None = None,
) -> list[ReviewRow]:
    """The review rows of the given weak stations (in the order given); ``work``: what is
    being done for them, when already read."""
    if not station_ids:
        return []
    history = _history(company_id, station_ids, month.period)
    months = [add_months(month.period, -k) for k in range(HISTORY_MONTHS - 1, -1, -1)]
    stations = Station.objects.select_related("county").in_bulk(station_ids)
    indicators = {
        indicator.code: indicator for indicator in Indicator.objects.filter(code__in=month.codes)
    }
    raw = month_values(station_ids, month.period, month.run).values
    if work is None:
        work = work_by_station(station_ids, month.period)
    medians = month.raw_medians
    empty = _Cells(None, {})
    past = [history.get(when, empty) for when in months]
    now = history.get(month.period) or _Cells(month.run, {})
    last_month = past[-2]
    flags = (
        (station_flags(last_month.run, station_ids), station_flags(month.run, station_ids))
        if last_month.run is not None
        else ({}, {})
    )
    streaks = _streaks(company_id, month.period, station_ids, past)
    rows = []
    for station_id in station_ids:
        grades = [cells.score(station_id, "grade") for cells in past]
        scores = [cells.score(station_id, "score") for cells in past]
        lines = []
        for code in month.codes:
            grade = now.indicator(station_id, code)
            if grade not in WEAK_GRADES:
                continue
            trail = [cells.indicator(station_id, code) for cells in past]
            normalised = now.normalised(station_id, code)
            lines.append(
                WeakIndicator(
                    indicator=indicators[code],
                    value=raw.get(station_id, {}).get(code),
                    median=medians.get(code),
                    normalised=normalised,
                    grade=grade_display(grade),
                    months_weak=streak(trail, WEAK_GRADES),
                    attended=work[station_id].covers(code),
                )
            )
        lines.sort(key=lambda line: (-(grade_position(line.grade.code) or 0), line.normalised or 0))
        previous = grades[-2]
        score = now.score(station_id, "score")
        rank = now.score(station_id, "rank")
        rows.append(
            ReviewRow(
                station=stations[station_id],
                score=None if score is None else float(score),
                rank=None if rank is None else int(rank),
                grade=grade_display(now.score(station_id, "grade")),
                previous_grade=grade_display(previous) if previous else None,
                months_weak=streaks[station_id],
                weak_indicators=lines,
                trend=score_change(scores, TREND_MONTHS),
                scores=scores,
                grades=[grade or "" for grade in grades],
                work=work[station_id],
                grade_note=contradiction_text(_contradiction(last_month, now, station_id, flags)),
            )
        )
    return rows


def _streaks(
    company_id: int, period: date, station_ids: list[int], past: list[_Cells]
) -> dict[int, int]:
    """Each station's weak streak as the bulletin counts it: from the months read when
    it ends inside them, read further back (one query) only for those weak in them all."""
    streaks = {
        station_id: streak([cells.score(station_id, "grade") for cells in past], WEAK_GRADES)
        for station_id in station_ids
    }
    longer = [station_id for station_id, months in streaks.items() if months >= len(past)]
    if longer:
        streaks.update(weak_streaks(company_id, period, STREAK_MONTHS + 1, longer))
    return streaks


def _contradiction(
    before: _Cells, now: _Cells, station_id: int, flags: tuple[dict[int, dict], dict[int, dict]]
):
    """``months.month_contradiction`` read from the months' cells."""
    was, is_now = before.rows.get(station_id), now.rows.get(station_id)
    if before.run is None or now.run is None or was is None or is_now is None:
        return None
    return score_contradiction(
        (before.run, was[GRADE], was[SCORE], flags[0].get(station_id)),
        (now.run, is_now[GRADE], is_now[SCORE], flags[1].get(station_id)),
    )


def _history(company_id: int, station_ids: list[int], period: date) -> dict[date, _Cells]:
    """The published months of the last ``HISTORY_MONTHS`` of the given stations, read as
    plain rows: a page of rows builds no frames (``months.grade_history`` does the same
    as DataFrames for the engines)."""
    first = add_months(period, -(HISTORY_MONTHS - 1))
    runs = ScoreRun.objects.filter(
        company_id=company_id, is_current=True, period__gte=first, period__lte=period
    ).only(
        "period", "summary", "company_id",
        # What a grade change against the score is explained by (scoring.gradechange).
        "method", "method_params", "weight_set_id", "method_version_id",
    )  # fmt: skip
    by_month: dict[date, dict[int, tuple]] = {}
    for when, station_id, *row in month_rows_between(company_id, station_ids, first, period):
        by_month.setdefault(when, {})[station_id] = tuple(row)
    return {run.period: _Cells(run, by_month.get(run.period, {})) for run in runs}


#: Positions in a row of ``_Cells``: (score, rank, grade, normalised).
SCORE, RANK, GRADE, NORMALISED = range(4)


@dataclass(frozen=True)
class _Cells:
    """A published month of some stations as plain rows by station id."""

    run: ScoreRun | None
    rows: dict[int, tuple]  # station id → (score, rank, grade, normalised)

    def score(self, station_id: int, column: str):
        row = self.rows.get(station_id)
        if row is None:
            return None
        return row[{"score": SCORE, "rank": RANK, "grade": GRADE}[column]]

    def normalised(self, station_id: int, code: str) -> float | None:
        row = self.rows.get(station_id)
        return None if row is None else (row[NORMALISED] or {}).get(code)

    def indicator(self, station_id: int, code: str) -> str | None:
        """The station's grade on the indicator (``scoring.engine.indicator_grades``)."""
        if self.run is None or station_id not in self.rows:
            return None
        thresholds = (self.run.summary or {}).get("indicator_thresholds", {}).get(code)
        return grade_from_thresholds(self.normalised(station_id, code), thresholds)


def _plain(value):
    """A pandas cell as plain Python: None for NaN/NA, numpy scalars unwrapped."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
