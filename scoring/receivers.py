"""How scoring answers the lower apps' news (connected in ``ScoringConfig.ready``)."""

from __future__ import annotations

from datetime import date

from scoring.models import RunTrigger, ScoreRun
from scoring.services import create_initial_method, create_initial_weights, request_recompute
from scoring.services.monthclose import publish_new_data
from stations.models import Company


def recompute_changed_months(
    sender, *, company: Company, periods: list[date], user=None, **kwargs
) -> list[ScoreRun]:
    """New indicator values: request each month's recompute (sent once they commit). A
    closed month's new grades wait for an administrator, as a re-grade does."""
    return [
        request_recompute(
            company,
            period,
            trigger=RunTrigger.IMPORT,
            user=user,
            publish=publish_new_data(company.pk, period),
        )
        for period in periods
    ]


def start_new_company(sender, *, company: Company, **kwargs) -> None:
    """A new company starts with weight version 1 (equal weights) and method version 1
    (absolute, the seeded targets), so it can be scored."""
    create_initial_weights(company)
    create_initial_method(company)
