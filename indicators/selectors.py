"""Reads for the indicators page: the list with each company's current weights, and what
retiring an indicator from a month would touch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indicators.models import ImportBatch, Indicator, IndicatorValue
from indicators.periods import month_start
from scoring.models import ScoreRun, Weight, WeightSet
from scoring.selectors import NoWeightsError, effective_weight_set
from stations.models import Company


@dataclass(frozen=True)
class WeightColumn:
    """A company's weight version governing the current month (None: it has none)."""

    company: Company
    weight_set: WeightSet | None


@dataclass(frozen=True)
class IndicatorListRow:
    indicator: Indicator
    in_force_now: bool
    #: The indicator's weight in each column's version (None: not in that version).
    weights: list[Decimal | None]

    @property
    def weighted(self) -> bool:
        """Whether any current weight version gives it a weight above 0."""
        return any(weight for weight in self.weights)


def indicator_list(today: date) -> tuple[list[WeightColumn], list[IndicatorListRow]]:
    """Every indicator, retired ones too, with its weight in each company's weight
    version of the current month."""
    this_month = month_start(today)
    columns = []
    for company in Company.objects.order_by("pk"):
        try:
            weight_set = effective_weight_set(company.pk, this_month)
        except NoWeightsError:
            weight_set = None
        columns.append(WeightColumn(company, weight_set))
    weights = {
        (weight_set_id, indicator_id): weight
        for weight_set_id, indicator_id, weight in Weight.objects.filter(
            weight_set__in=[column.weight_set for column in columns if column.weight_set]
        ).values_list("weight_set_id", "indicator_id", "weight")
    }
    rows = [
        IndicatorListRow(
            indicator=indicator,
            in_force_now=indicator.in_force(this_month),
            weights=[
                weights.get((column.weight_set.pk, indicator.pk)) if column.weight_set else None
                for column in columns
            ],
        )
        for indicator in Indicator.objects.order_by("display_order", "code")
    ]
    return columns, rows


@dataclass(frozen=True)
class RetirementEffects:
    """What retiring an indicator from a month touches (shown before it is confirmed)."""

    #: Values already stored for that month and later: kept, but no longer read.
    stored_values: int
    #: Months already scored with the indicator from then on: they keep their grades
    #: until they are recomputed.
    scored_months: list[date]


def retirement_effects(indicator: Indicator, retired_from: date) -> RetirementEffects:
    scored = (
        ScoreRun.objects.filter(
            is_current=True,
            period__gte=retired_from,
            method_params__directions__has_key=indicator.code,
        )
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )
    return RetirementEffects(
        stored_values=IndicatorValue.objects.filter(
            indicator=indicator, period__gte=retired_from
        ).count(),
        scored_months=list(scored),
    )


#: How many of the latest imports the imports page lists.
RECENT_IMPORTS = 30


def recent_imports(limit: int = RECENT_IMPORTS) -> list[ImportBatch]:
    """The latest imports of every company and source, running ones included."""
    batches = ImportBatch.objects.select_related("company", "created_by")
    return list(batches.order_by("-created_at", "-id")[:limit])
