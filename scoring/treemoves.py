"""A company or unit moved in the organisation tree re-grades what the move changes.

Which unit's common method grades a company's month depends on where the company hangs
(``scoring.methodsource``). Moving a company, or a unit with companies below it, from the
admin or ``import_org`` therefore changes the versions that grade some of their months. A
month's stored grades keep the versions they were computed with; the months whose
governing versions change get a re-grade, as a unit's new version or a company's switch
to its own method does (``request_regrades``: a month published as final waits for its
administrator, so the change is visible to those it affects).

Connected in ``ScoringConfig.ready`` to ``pre_save``/``post_save`` of ``Company`` and
``OrgUnit``: before the save, each affected company's governing versions per month with
data; after it, the same again; the months that differ are re-graded.
"""

from __future__ import annotations

from scoring.models import RunTrigger
from scoring.selectors import periods_by_company
from scoring.services.recompute import request_regrades
from scoring.unitplan import governing_by_month
from stations.models import Company, OrgUnit
from stations.orgtree import companies_under

#: Set on the instance before its save: (months with data by company id, their governing
#: version ids by company id).
_BEFORE = "_scoring_governing_before"


def _stored_companies(instance: Company | OrgUnit, ids: list[int] | None = None) -> list[Company]:
    """The companies the move affects, as stored (before the save, a company being moved
    still hangs where it was)."""
    if ids is None:
        ids = (
            [instance.pk]
            if isinstance(instance, Company)
            else [company.pk for company in companies_under(instance.pk)]
        )
    return list(Company.objects.filter(pk__in=ids))


def note_move(sender, instance, raw: bool = False, **kwargs) -> None:
    """Before a save that changes the parent: what grades each affected company's months."""
    if raw or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
    if stored == instance.parent_id:
        return
    companies = _stored_companies(instance)
    periods = periods_by_company([company.pk for company in companies])
    if periods:
        setattr(instance, _BEFORE, (periods, governing_by_month(companies, periods)))


def regrade_moved(sender, instance, raw: bool = False, **kwargs) -> None:
    """After it: re-grade the months whose governing versions changed."""
    before = instance.__dict__.pop(_BEFORE, None)
    if raw or not before:
        return
    periods, was = before
    companies = _stored_companies(instance, list(periods))
    now = governing_by_month(companies, periods)
    changed = {}
    for company in companies:
        months = [
            period
            for period in periods[company.pk]
            if was[company.pk][period] != now[company.pk][period]
        ]
        if months:
            changed[company] = months
    if changed:
        request_regrades(changed, trigger=RunTrigger.UNIT)


def connect() -> None:
    from django.db.models.signals import post_save, pre_save

    for model in (Company, OrgUnit):
        pre_save.connect(
            note_move, sender=model, dispatch_uid=f"scoring.note_move.{model.__name__}"
        )
        post_save.connect(
            regrade_moved, sender=model, dispatch_uid=f"scoring.regrade_moved.{model.__name__}"
        )
