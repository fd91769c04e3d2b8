"""The part of the organisation tree a user's place covers, and the people placed in it:
what an administrator manages in the Django admin (``stations.scopeadmin``) and whose
users' and units' audit entries they read (``audit.visibility``, registered in
``StationsConfig.ready``).

- a superuser: everything (``subtree`` is None);
- a unit member: their unit and every unit below it, and the companies below;
- a company member (or station staff): their company, no unit;
- someone placed nowhere: nothing.

A user's place is read when asked (their ``OrgMember`` or ``StationMember`` now), so a user
moved to another city leaves the first city's sight with their history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from audit.visibility import ReaderPlace
from stations.models import Company, OrgMember, Station
from stations.orgtree import ancestor_unit_ids, subtree_unit_ids
from stations.scope import user_scope
from stations.unitscope import member_unit_id


@dataclass(frozen=True)
class Subtree:
    #: The companies of the user's scope (``stations.scope``).
    company_ids: frozenset[int]
    #: The unit the user is placed in and every unit below it.
    unit_ids: frozenset[int]
    #: The unit the user is placed in: theirs to hang things under, not to change.
    place_unit_id: int | None

    def manages_unit(self, unit_id: int | None) -> bool:
        """Whether the unit is below the user's place (theirs to change or delete)."""
        return unit_id in self.unit_ids and unit_id != self.place_unit_id

    def holds_unit(self, unit_id: int | None) -> bool:
        """Whether the unit is at or below the user's place (a parent they may choose)."""
        return unit_id in self.unit_ids

    def holds_company(self, company_id: int | None) -> bool:
        return company_id in self.company_ids

    def people(self) -> Q:
        """The users placed within: in a unit or a company of it, or at one of its stations
        (a ``Q`` on the user model)."""
        return (
            Q(org_membership__company_id__in=self.company_ids)
            | Q(org_membership__unit_id__in=self.unit_ids)
            | Q(station_membership__station__county__company_id__in=self.company_ids)
        )

    def memberships(self) -> Q:
        """The ``OrgMember`` rows within (a ``Q`` on ``OrgMember``)."""
        return Q(company_id__in=self.company_ids) | Q(unit_id__in=self.unit_ids)


def subtree(user) -> Subtree | None:
    """The part of the tree ``user``'s place covers; None for superusers (all of it). Read
    once per user object (a request's user), like their scope."""
    if getattr(user, "is_superuser", False):
        return None
    if not getattr(user, "is_authenticated", False):
        return Subtree(frozenset(), frozenset(), None)
    found = getattr(user, _ATTRIBUTE, None)
    if found is None:
        found = _read_subtree(user)
        setattr(user, _ATTRIBUTE, found)
    return found


_ATTRIBUTE = "_org_subtree"


def _read_subtree(user) -> Subtree:
    scope = user_scope(user)
    companies = frozenset(scope.company_ids or ())
    # A unit member reads the companies below their unit (read only) or, with none below
    # yet, none: anyone else with companies is placed in a company or at a station.
    place = member_unit_id(user) if scope.read_only or not companies else None
    units = subtree_unit_ids([place]) if place is not None else set()
    return Subtree(companies, frozenset(units), place)


def place_name(user) -> str:
    """The user's place as a reader of a form error knows it ("浙江 (ZJ)", a company)."""
    membership = OrgMember.objects.filter(user=user.pk).select_related("unit", "company").first()
    if membership is None:
        return "–"
    if membership.unit is not None:
        return f"{membership.unit} ({membership.unit.code})"
    return str(membership.company)


def people_within(user) -> QuerySet:
    """The users placed within ``user``'s part of the tree (every user for superusers)."""
    users = get_user_model().objects.all()
    tree = subtree(user)
    return users if tree is None else users.filter(tree.people())


def memberships_within(user) -> QuerySet[OrgMember]:
    """The ``OrgMember`` rows within ``user``'s part of the tree."""
    tree = subtree(user)
    rows = OrgMember.objects.all()
    return rows if tree is None else rows.filter(tree.memberships())


def units_within(user) -> set[int] | None:
    """The units at and below ``user``'s place; None for superusers."""
    tree = subtree(user)
    return None if tree is None else set(tree.unit_ids)


def actor_place(user) -> tuple[int | None, int | None]:
    """Where a user acting now is placed, as an audit entry keeps it (company id, unit id):
    their membership, else their station's company."""
    membership = OrgMember.objects.filter(user=user.pk).values_list("company_id", "unit_id")
    found = membership.first()
    if found is not None:
        return found
    company_id = (
        Station.objects.filter(members__user=user.pk)
        .values_list("county__company_id", flat=True)
        .first()
    )
    return company_id, None


def audit_place(user) -> ReaderPlace:
    """The reader's place as the audit trail reads it (``audit.visibility.ReaderPlace``);
    asked for readers who are not superusers."""
    tree = subtree(user) or Subtree(frozenset(), frozenset(), None)
    parents = (
        Company.objects.filter(pk__in=tree.company_ids).values_list("parent_id", flat=True)
        if tree.company_ids
        else []
    )
    above = ancestor_unit_ids([tree.place_unit_id, *set(parents)])
    return ReaderPlace(
        company_ids=set(tree.company_ids),
        unit_ids=set(tree.unit_ids),
        governing_unit_ids=above | set(tree.unit_ids),
        people=get_user_model().objects.filter(tree.people()),
        memberships=OrgMember.objects.filter(tree.memberships()),
    )
