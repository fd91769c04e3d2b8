"""Weight and method versions: saving one and requesting the months it governs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import (
    IntegrityError,
    transaction,
)
from django.db.models import Q
from django.utils import timezone

from indicators.models import Indicator
from scoring.engine import ScoringMethod
from scoring.methodsource import companies_below, sources_by_month
from scoring.models import (
    MethodVersion,
    RunTrigger,
    ScoreRun,
    UsedPreview,
    Weight,
    WeightSet,
)
from scoring.selectors import (
    periods_by_company,
)
from scoring.services.recompute import request_recompute
from scoring.storedtexts import INITIAL_METHOD_REASON, INITIAL_WEIGHTS_REASON
from scoring.targets import initial_method
from stations.models import Company, OrgUnit

#: Version 1 of a new company (weights and method) counts from this month.
INITIAL_WEIGHTS_FROM = date(2000, 1, 1)
#: How long a version form's preview stays valid for saving.
PREVIEW_MAX_AGE = timedelta(hours=1)


def create_initial_weights(company: Company) -> WeightSet:
    """Version 1 for a new company: every active indicator weighted equally, summing to 100."""
    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    share = (Decimal(100) / len(indicators)).quantize(Decimal("0.01"))
    weights = {indicator.code: share for indicator in indicators}
    remainder = Decimal(100) - share * len(indicators)
    weights[indicators[0].code] += remainder
    return create_weight_set(
        company=company,
        weights=weights,
        effective_from=INITIAL_WEIGHTS_FROM,
        reason=INITIAL_WEIGHTS_REASON,  # stored in English, shown translated
        user=None,
        recompute=False,
    )


def create_initial_method(company: Company) -> MethodVersion:
    """Method version 1 for a new company: absolute scoring, each active indicator
    between its seeded floor and target (``scoring.targets``), the seeded thresholds.
    An active indicator without a seeded target is placed within its valid range."""
    active = set(Indicator.objects.filter(active=True).values_list("code", flat=True))
    return create_method_version(
        company=company,
        method=initial_method(active),
        effective_from=INITIAL_WEIGHTS_FROM,
        reason=INITIAL_METHOD_REASON,
        user=None,
        recompute=False,
    )


@transaction.atomic
def create_weight_set(
    *,
    company: Company,
    weights: dict[str, Decimal],
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
    publish: bool = True,
) -> WeightSet:
    """Save a new weight version and request the recompute of every month it now governs
    (``publish`` off: months already published get a proposal to review, see
    ``ScoreRun.publish``).

    ``weights`` must already be validated (known codes, a positive total: see
    ``scoring.weightfile``).
    """
    weight_set = save_weight_version(
        owner=company, weights=weights, effective_from=effective_from, reason=reason, user=user
    )
    if recompute:
        _recompute_governed(weight_set, RunTrigger.WEIGHTS, user, publish=publish)
    return weight_set


def save_weight_version(
    *,
    owner: Company | OrgUnit,
    weights: dict[str, Decimal],
    effective_from: date,
    reason: str,
    user=None,
) -> WeightSet:
    """Save a weight version of a company or of a unit (call inside ``atomic``); the
    caller requests what it re-grades."""
    weight_set = WeightSet.objects.create(
        **{"company" if isinstance(owner, Company) else "unit": owner},
        version=_next_version(WeightSet, owner),
        effective_from=effective_from,
        reason=reason,
        created_by=user,
    )
    indicators = Indicator.objects.in_bulk(list(weights), field_name="code")
    Weight.objects.bulk_create(
        Weight(weight_set=weight_set, indicator=indicators[code], weight=value)
        for code, value in weights.items()
    )
    return weight_set


def save_method_version(
    *,
    owner: Company | OrgUnit,
    method: ScoringMethod,
    effective_from: date,
    reason: str,
    user=None,
) -> MethodVersion:
    """Save a method version of a company or of a unit (call inside ``atomic``); the
    caller requests what it re-grades."""
    return MethodVersion.objects.create(
        **{"company" if isinstance(owner, Company) else "unit": owner},
        version=_next_version(MethodVersion, owner),
        effective_from=effective_from,
        params=method.as_record(),
        reason=reason,
        created_by=user,
    )


def claim_preview(token: str) -> bool:
    """Record that the preview ``token`` is being saved; False when it already was (a
    double click). Call it in the transaction that saves the version: if that rolls back,
    the preview can be saved again. Two clicks at once serialise on the unique token."""
    UsedPreview.objects.filter(used_at__lt=timezone.now() - PREVIEW_MAX_AGE).delete()
    try:
        with transaction.atomic():
            UsedPreview.objects.create(token=token)
    except IntegrityError:
        return False
    return True


def _next_version(model: type[WeightSet | MethodVersion], owner: Company | OrgUnit) -> int:
    """The owner's (a company's or a unit's) next version number of a kind. Locks the
    owner's row (inside the caller's transaction): two versions saved at once must not
    both take N + 1."""
    type(owner).objects.select_for_update().filter(pk=owner.pk).first()
    field = "company" if isinstance(owner, Company) else "unit"
    latest = model.objects.filter(**{field: owner}).order_by("-version")
    return (latest.values_list("version", flat=True).first() or 0) + 1


def _recompute_governed(
    version: WeightSet | MethodVersion, trigger: str, user, *, publish: bool
) -> list[ScoreRun]:
    """Request every month the version governs. With ``publish`` off, a month that is
    already published gets a proposal instead (see ``ScoreRun.publish``)."""
    company = version.company
    assert company is not None
    return [
        request_recompute(company, period, trigger=trigger, user=user, publish=publish)
        for period in months_governed_by(version)
    ]


def months_governed_by(version: WeightSet | MethodVersion) -> list[date]:
    """The company's months with data that a company's version grades: from its
    effective month up to the next version's (of the same kind: weights or method), and
    not those a unit's common version grades while the company inherits
    (``scoring.methodsource``). A unit's version: ``companies_governed_by``."""
    assert version.company is not None, "a unit's version governs several companies"
    return _governed_months(version, [version.company]).get(version.company, [])


def companies_governed_by(version: WeightSet | MethodVersion) -> dict[Company, list[date]]:
    """The months with data of each company (by id) that a version grades: a company's
    version its own months, a unit's version those of every company below it that
    inherits it (not those using their own method, nor those under a nearer unit that
    has its own version in force)."""
    if version.company is not None:
        return {version.company: months_governed_by(version)}
    assert version.unit is not None
    return _governed_months(version, companies_below(version.unit))


def _governed_months(
    version: WeightSet | MethodVersion, companies: list[Company]
) -> dict[Company, list[date]]:
    """The companies' months with data from the version's month on that it grades (a
    company with none left out), in the same few queries whatever their number."""
    with_data = periods_by_company([c.pk for c in companies], since=version.effective_from)
    every_month = {month for months in with_data.values() for month in months}
    table = sources_by_month(type(version), companies, every_month)
    found = {}
    for company in companies:
        months = [
            month
            for month in with_data.get(company.pk, [])
            if table[company.pk][month].version == version
        ]
        if months:
            found[company] = months
    return found


def next_version_start(
    model: type[WeightSet | MethodVersion],
    company_id: int,
    effective_from: date,
    version: int | None = None,
) -> date | None:
    """Where the version after one effective from a month takes over: a later month, or
    the same month for a newer version of it (``version``: the one asked about; None for
    a version not saved yet, which would be the newest)."""
    later = Q(effective_from__gt=effective_from)
    if version is not None:
        later |= Q(effective_from=effective_from, version__gt=version)
    return (
        model.objects.filter(later, company_id=company_id)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


# --- Methods -------------------------------------------------------------------


@transaction.atomic
def create_method_version(
    *,
    company: Company,
    method: ScoringMethod,
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
    publish: bool = True,
) -> MethodVersion:
    """Save a new method version and request the recompute of every month it governs.
    Earlier months keep the runs (and methods) they were published with; ``publish``
    as for ``create_weight_set``."""
    method_version = save_method_version(
        owner=company, method=method, effective_from=effective_from, reason=reason, user=user
    )
    if recompute:
        _recompute_governed(method_version, RunTrigger.METHOD, user, publish=publish)
    return method_version
