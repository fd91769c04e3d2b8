"""Reads for the pages: a few queries each, shaped for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from indicators.models import Indicator, IndicatorValue
from indicators.periods import previous_period
from scoring.grades import GradeDisplay, grade_display
from scoring.models import StationScore
from scoring.selectors import current_scores
from stations.models import Company, County, Station


def company_for_user(user) -> Company | None:
    """The viewer's company: their station's, else the first one."""
    membership = getattr(user, "station_membership", None)
    if membership is not None:
        return Company.objects.get(counties__stations=membership.station_id)
    return Company.objects.order_by("pk").first()


def own_station_id(user) -> int | None:
    membership = getattr(user, "station_membership", None)
    return membership.station_id if membership is not None else None


@dataclass(frozen=True)
class RankingRow:
    station: Station
    score: float | None
    rank: int | None
    grade: GradeDisplay
    ungraded_reason: str
    coverage: float
    previous_rank: int | None
    previous_grade: GradeDisplay | None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive = moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def grade_change(self) -> int | None:
        """Grades gained since last month (positive = better colour)."""
        if self.grade.position is None or not self.previous_grade:
            return None
        if self.previous_grade.position is None:
            return None
        return self.previous_grade.position - self.grade.position


def ranking_rows(company_id: int, period: date, county_id: int | None = None) -> list[RankingRow]:
    scores = current_scores(company_id, period)
    if county_id:
        scores = scores.filter(station__county_id=county_id)
    previous = {
        row["station_id"]: row
        for row in StationScore.objects.filter(
            run__company_id=company_id, run__is_current=True, period=previous_period(period)
        ).values("station_id", "rank", "grade")
    }
    rows = []
    for score in scores:
        before = previous.get(score.station_id)
        rows.append(
            RankingRow(
                station=score.station,
                score=score.score,
                rank=score.rank,
                grade=grade_display(score.grade),
                ungraded_reason=score.ungraded_reason,
                coverage=score.coverage,
                previous_rank=before["rank"] if before else None,
                previous_grade=grade_display(before["grade"]) if before else None,
            )
        )
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.station.code))
    return rows


def counties(company_id: int) -> list[County]:
    return list(County.objects.filter(company_id=company_id).order_by("name"))


def station_history(station: Station) -> list[StationScore]:
    """The station's shown result for every scored month, oldest first."""
    return list(
        StationScore.objects.filter(station=station, run__is_current=True)
        .select_related("run")
        .order_by("period")
    )


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    value: float | None
    normalised: float | None


def indicator_lines(station: Station, score: StationScore | None) -> list[IndicatorLine]:
    """The station's raw and normalised value of each indicator in the score's month."""
    if score is None:
        return []
    raw = dict(
        IndicatorValue.objects.filter(station=station, period=score.period).values_list(
            "indicator__code", "value"
        )
    )
    return [
        IndicatorLine(indicator, raw.get(indicator.code), score.normalised.get(indicator.code))
        for indicator in Indicator.objects.filter(active=True).order_by("display_order", "code")
    ]
