"""What the API reads, always within one company (the token's, or the logged-in user's)."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from indicators.models import ImportBatch, Indicator
from indicators.periods import format_period
from scoring.models import CloseState, MonthClose, ScoreRun, StationScore
from scoring.selectors import close_state_of_run, current_run, current_scores
from stations.models import County, Station


def indicators() -> QuerySet[Indicator]:
    """Every indicator, retired ones too (their months say when they counted)."""
    return Indicator.objects.order_by("display_order", "code")


def company_counties(company_id: int) -> QuerySet[County]:
    return County.objects.filter(company_id=company_id).order_by("name", "pk")


def company_stations(company_id: int, county_id: int | None = None) -> QuerySet[Station]:
    stations = Station.objects.filter(county__company_id=company_id).select_related("county")
    if county_id is not None:
        stations = stations.filter(county_id=county_id)
    return stations.order_by("code")


def company_station(company_id: int, code: str) -> Station | None:
    return company_stations(company_id).filter(code=code).first()


def scored_months(company_id: int) -> QuerySet[ScoreRun]:
    """The shown run of every scored month, newest first, with its versions."""
    return (
        ScoreRun.objects.filter(company_id=company_id, is_current=True)
        .select_related("weight_set", "method_version")
        .annotate(close_state=close_state_of_run())
        .order_by("-period")
    )


def month_run(company_id: int, period: date) -> ScoreRun | None:
    return current_run(company_id, period)


def _score_close_state() -> Subquery:
    """The score's month's close state, in the same query (as ``close_state_of_run``)."""
    return Subquery(
        MonthClose.objects.filter(
            company_id=OuterRef("run__company_id"), period=OuterRef("period")
        ).values("state")[:1]
    )


def month_scores(company_id: int, period: date, county_id: int | None = None):
    return (
        current_scores(company_id, period, county_id)
        .select_related("run__weight_set", "run__method_version")
        .annotate(close_state=_score_close_state())
    )


def closed_months(company_id: int, periods: tuple[date, ...]) -> list[date]:
    """Those of the months the company has closed (their grades are final)."""
    found = MonthClose.objects.filter(
        company_id=company_id, period__in=periods, state=CloseState.CLOSED
    )
    return sorted(found.values_list("period", flat=True))


def station_history(station: Station) -> QuerySet[StationScore]:
    """The station's score in every month's shown run, newest first."""
    return (
        StationScore.objects.filter(station=station, run__is_current=True)
        .select_related("run__weight_set", "run__method_version", "station__county")
        .annotate(close_state=_score_close_state())
        .order_by("-period")
    )


def company_imports(company_id: int, period: date | None = None) -> QuerySet[ImportBatch]:
    """The company's import jobs: its own batches, and the ones its tokens sent that no
    worker has read yet (their company is known once the file is read)."""
    batches = ImportBatch.objects.filter(
        Q(company_id=company_id) | Q(api_submission__token__company_id=company_id)
    ).select_related("api_submission__token")
    if period is not None:
        batches = batches.filter(periods__icontains=format_period(period))
    return batches.order_by("-created_at", "-pk")
