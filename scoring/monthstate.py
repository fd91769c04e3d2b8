"""Reads of the month close: a month's state, its objections, and what a station may do.

How "provisional" relates to published runs: the published run (``is_current``) is what
every page shows, as before; a ``MonthClose`` row beside it says whether those grades are
provisional (under review) or closed. A month without a row is final: every month
published before month close existed, and every month of a company that does not hold new
months (``MonthRules.hold_new_months`` off, the default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from scoring.engine.monthclose import window_open
from scoring.models import (
    CloseState,
    MonthClose,
    MonthRules,
    Objection,
    ObjectionStatus,
    ScoreRun,
    StationScore,
)
from scoring.selectors import close_state_of_run
from stations.models import Company

#: Objections shown on the month-close page; the rest are counted (a page stays bounded).
OBJECTIONS_SHOWN = 100


def is_provisional(run: ScoreRun | None) -> bool:
    """Whether a run read by ``scoring.selectors.current_runs`` shows provisional grades."""
    return getattr(run, "close_state", None) == CloseState.PROVISIONAL


def month_close(company_id: int, period: date) -> MonthClose | None:
    return MonthClose.objects.filter(company_id=company_id, period=period).first()


def is_closed(company_id: int, period: date) -> bool:
    return MonthClose.objects.filter(
        company_id=company_id, period=period, state=CloseState.CLOSED
    ).exists()


def rules_for(company: Company) -> MonthRules:
    """The company's rules, or the defaults (unsaved) when an administrator set none."""
    return MonthRules.objects.filter(company=company).first() or MonthRules(company=company)


def months_under_review(company_id: int) -> list[MonthClose]:
    return list(
        MonthClose.objects.filter(company_id=company_id, state=CloseState.PROVISIONAL).order_by(
            "-period"
        )
    )


def listed_months(company_id: int, limit: int) -> list[ScoreRun]:
    """The newest ``limit`` published months (their shown runs), each with its
    ``close_state`` and ``regrade_waiting`` (a re-grade newer than the shown run waits to
    be published, as ``scoring.regrade_preview.waiting_proposal``), in one query."""
    waiting = ScoreRun.objects.filter(
        company_id=OuterRef("company_id"),
        period=OuterRef("period"),
        publish=False,
        is_current=False,
        pk__gt=OuterRef("pk"),
    )
    return list(
        ScoreRun.objects.filter(company_id=company_id, is_current=True)
        .only("period", "published_at")
        .annotate(close_state=close_state_of_run(), regrade_waiting=Exists(waiting))
        .order_by("-period")[:limit]
    )


@dataclass(frozen=True)
class MonthObjections:
    rows: list[Objection]
    total: int
    open: int


def objections_of(month: MonthClose, limit: int = OBJECTIONS_SHOWN) -> MonthObjections:
    """The month's objections, open first then newest, the first ``limit`` of them."""
    objections = month.objections.all()
    rows = list(
        objections.select_related("station", "raised_by", "resolved_by").order_by(
            "-status", "-raised_at", "-pk"
        )[:limit]
    )
    rows.sort(key=lambda o: (o.status != ObjectionStatus.OPEN, -o.raised_at.timestamp()))
    return MonthObjections(
        rows=rows,
        total=objections.count(),
        open=objections.filter(status=ObjectionStatus.OPEN).count(),
    )


@dataclass(frozen=True)
class StationReview:
    """What a station's page shows of its month under review."""

    month: MonthClose
    grade: str | None  # the provisional grade, None when not graded
    objections: list[Objection]  # the station's objections to this month, newest first

    @property
    def open_objection(self) -> Objection | None:
        return next((o for o in self.objections if o.status == ObjectionStatus.OPEN), None)

    def takes_objections(self, today: date) -> bool:
        """Whether the station may object now: graded, none open, the window not over
        (the rules of ``scoring.engine.monthclose.objection_refusal``)."""
        return (
            self.grade is not None
            and self.open_objection is None
            and window_open(self.month.review_until, today)
        )


def shown_grade(company_id: int, period: date, station_id: int) -> str | None:
    """The station's grade in the month's published run (None when it is not graded)."""
    score = (
        StationScore.objects.filter(
            run__company_id=company_id, run__period=period, run__is_current=True,
            station_id=station_id,
        )
        .values_list("grade", "rank")
        .first()
    )  # fmt: skip
    return score[0] if score and score[1] is not None else None


def station_review(company_id: int, period: date, station_id: int) -> StationReview | None:
    """The station's provisional month (None when the month is not under review)."""
    month = MonthClose.objects.filter(
        company_id=company_id, period=period, state=CloseState.PROVISIONAL
    ).first()
    if month is None:
        return None
    grade = shown_grade(company_id, period, station_id)
    objections = list(month.objections.filter(station_id=station_id).order_by("-raised_at"))
    return StationReview(month=month, grade=grade, objections=objections)


def final_months(company_id: int, periods: list[date]) -> set[date]:
    """Of the months, those whose grades are published and final (not provisional)."""
    if not periods:
        return set()
    return final_months_by_company([company_id], since=min(periods, default=None)).get(
        company_id, set()
    ) & set(periods)


def final_months_by_company(
    company_ids: list[int], since: date | None = None
) -> dict[int, set[date]]:
    """Each company's (by id) months whose grades are published and final, from ``since``
    on: two queries whatever the number of companies."""
    runs = ScoreRun.objects.filter(company_id__in=company_ids, is_current=True)
    closes = MonthClose.objects.filter(company_id__in=company_ids, state=CloseState.PROVISIONAL)
    if since is not None:
        runs, closes = runs.filter(period__gte=since), closes.filter(period__gte=since)
    provisional = set(closes.values_list("company_id", "period"))
    found: dict[int, set[date]] = {}
    for company_id, period in runs.values_list("company_id", "period"):
        if (company_id, period) not in provisional:
            found.setdefault(company_id, set()).add(period)
    return found
