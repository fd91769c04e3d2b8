"""A unit's common method: publishing its weight and grading-rule versions, and a
company's choice to use its own method instead.

Publishing a unit's version re-grades, as one Celery group of one task per company, the
months it now grades of every company below the unit that inherits it
(``scoring.services.recompute.request_regrades``): a final month gets a re-grade that
waits for an administrator, a provisional or unpublished month is graded at once. The
version itself is audited when it is created (``audit.signals``), like a company's; a
company's choice is audited here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from audit.models import Action
from audit.services import record
from scoring.engine import ScoringMethod
from scoring.models import MethodOverride, MethodVersion, RunTrigger, ScoreRun, WeightSet
from scoring.services.recompute import request_regrades
from scoring.services.versions import (
    companies_governed_by,
    save_method_version,
    save_weight_version,
)
from scoring.unitplan import months_regraded_by_choice
from stations.models import Company, OrgUnit


@transaction.atomic
def publish_unit_weights(
    *,
    unit: OrgUnit,
    weights: dict[str, Decimal],
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
) -> WeightSet:
    """Save a weight version common to the companies below ``unit`` and re-grade the
    months it now grades (``weights`` validated as for ``create_weight_set``)."""
    weight_set = save_weight_version(
        owner=unit, weights=weights, effective_from=effective_from, reason=reason, user=user
    )
    if recompute:
        regrade_inheritors(weight_set, user=user)
    return weight_set


@transaction.atomic
def publish_unit_method(
    *,
    unit: OrgUnit,
    method: ScoringMethod,
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
) -> MethodVersion:
    """Save grading rules (a method version) common to the companies below ``unit`` and
    re-grade the months they now grade."""
    version = save_method_version(
        owner=unit, method=method, effective_from=effective_from, reason=reason, user=user
    )
    if recompute:
        regrade_inheritors(version, user=user)
    return version


def regrade_inheritors(
    version: WeightSet | MethodVersion, *, user=None
) -> dict[int, list[ScoreRun]]:
    """Request the re-grade of every month the unit's version grades, company by company
    (``companies_governed_by``: not the companies that use their own method)."""
    return request_regrades(companies_governed_by(version), trigger=RunTrigger.UNIT, user=user)


@transaction.atomic
def set_own_method(*, company: Company, own: bool, reason: str = "", user=None) -> bool:
    """The company grades with its own weights and rules (``own``) or inherits its units'
    common ones. Re-grades the months whose governing versions change (as a unit's
    change does) and records the choice in the audit trail. False when the company had
    chosen so already (nothing changes)."""
    Company.objects.select_for_update().filter(pk=company.pk).first()
    current = MethodOverride.objects.filter(company=company).first()
    if (current is not None) == own:
        return False
    changed = months_regraded_by_choice(company, own=own)
    if own:
        MethodOverride.objects.create(company=company, reason=reason, set_by=user)
    else:
        assert current is not None
        current.delete()
    record(
        Action.OWN_METHOD_SET if own else Action.OWN_METHOD_CLEARED,
        company,
        before={"own_method": not own},
        after={"own_method": own, "regraded_months": len(changed)},
        reason=reason,
        actor=user,
    )
    if changed:
        request_regrades({company: changed}, trigger=RunTrigger.UNIT, user=user)
    return True
