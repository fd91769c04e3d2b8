"""The status × change page: each station's grade now and its score change since a
year (or a quarter) before, read from the two months' current runs only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from improvement.engine.statuschange import Grid, status_change_grid
from indicators.periods import add_months
from scoring.models import ScoreRun, StationScore
from scoring.selectors import current_run
from stations.models import Station

#: How far back each choice of ``since`` compares, in months.
SINCE_MONTHS = {"year": 12, "quarter": 3}


@dataclass(frozen=True)
class StatusChange:
    period: date
    since: date
    grid: Grid
    stations: dict[int, Station]
    compared_run: ScoreRun | None  # None: the month compared with was not scored
    #: What differs between the two months' grading ("weights", "method"): scores
    #: graded under different rules may not be comparable.
    differences: tuple[str, ...]


def read_status_change(
    company_id: int, run: ScoreRun, months_back: int, county_id: int | None = None
) -> StatusChange:
    since = add_months(run.period, -months_back)
    before_run = current_run(company_id, since)
    now = _scores(run, county_id)
    before = {} if before_run is None else dict(_scores(before_run, county_id, score_only=True))
    rows = [
        (station_id, grade, score, before.get(station_id))
        for station_id, (score, grade) in now.items()
    ]
    return StatusChange(
        period=run.period,
        since=since,
        grid=status_change_grid(rows),
        stations=Station.objects.select_related("county").in_bulk(list(now)),
        compared_run=before_run,
        differences=_differences(run, before_run),
    )


def _scores(run: ScoreRun, county_id: int | None, *, score_only: bool = False) -> dict:
    rows = StationScore.objects.filter(run=run)
    if county_id:
        rows = rows.filter(station__county_id=county_id)
    if score_only:
        return dict(rows.exclude(score=None).values_list("station_id", "score"))
    return {
        station_id: (score, grade)
        for station_id, score, grade in rows.values_list("station_id", "score", "grade")
    }


def _differences(run: ScoreRun, before: ScoreRun | None) -> tuple[str, ...]:
    if before is None:
        return ()
    found = []
    if run.weight_set_id != before.weight_set_id:
        found.append("weights")
    if run.method_version_id != before.method_version_id or run.method != before.method:
        found.append("method")
    return tuple(found)
