"""Where a user may look: the part of the organisation tree their membership gives.

- station staff: their station's company;
- a company member (its committee, its administrators): that company;
- a unit member (a province viewer): every company below the unit, read only;
- a superuser: everything.

``None`` means "no limit" (superusers); an empty set means "nothing" (a user placed
nowhere), never "the first company".

The scope is read in one query and kept on the user object for the request
(``remember`` lets a caller that keeps it longer, per state of the data, put it there).
Every check of "may this user see that company's object" is ``in_scope`` or ``scoped``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from stations.models import Company, OrgMember, OrgUnit, StationMember


@dataclass(frozen=True)
class Scope:
    #: Visible companies, ordered: the user's station's first, then by name. None: all.
    company_ids: tuple[int, ...] | None
    #: A unit member (above companies) only reads, whatever their role.
    read_only: bool

    @property
    def ids(self) -> set[int] | None:
        return None if self.company_ids is None else set(self.company_ids)


_ATTRIBUTE = "_org_scope"


def _unit_companies_sql() -> str:
    """The companies below the user's unit, the unit's subtree walked in SQL."""
    return f"""
        WITH RECURSIVE below(id) AS (
            SELECT m.unit_id FROM {OrgMember._meta.db_table} m
            WHERE m.user_id = %s AND m.unit_id IS NOT NULL
            UNION
            SELECT u.id FROM {OrgUnit._meta.db_table} u JOIN below ON u.parent_id = below.id
        )
        SELECT c.id FROM {Company._meta.db_table} c WHERE c.parent_id IN (SELECT id FROM below)
    """


def read_scope(user) -> Scope:
    """The user's scope, read now (one query; none for superusers and visitors)."""
    if not getattr(user, "is_authenticated", False):
        return Scope((), read_only=False)
    if user.is_superuser:
        return Scope(None, read_only=False)
    own = StationMember.objects.filter(user=user.pk, station__county__company=OuterRef("pk"))
    in_unit = OrgMember.objects.filter(user=user.pk, unit__isnull=False)
    rows = (
        Company.objects.filter(
            Q(counties__stations__members__user=user.pk)
            | Q(members__user=user.pk)
            | Q(pk__in=RawSQL(_unit_companies_sql(), [user.pk]))
        )
        .annotate(own=Exists(own), read_only=Exists(in_unit))
        .order_by("-own", "name", "pk")
        .values_list("pk", "read_only")
        .distinct()
    )
    found = list(rows)
    return Scope(tuple(pk for pk, _ in found), read_only=any(flag for _, flag in found))


def user_scope(user) -> Scope:
    """The user's scope, read once per user object (a request's user)."""
    scope = getattr(user, _ATTRIBUTE, None)
    if scope is None:
        scope = read_scope(user)
        remember(user, scope)
    return scope


def remember(user, scope: Scope) -> None:
    """Put a scope read earlier (and kept) on the user object."""
    if getattr(user, "is_authenticated", False):
        setattr(user, _ATTRIBUTE, scope)


def visible_company_ids(user) -> set[int] | None:
    """The companies the user may see; None for every company (superusers)."""
    return user_scope(user).ids


def read_only_scope(user) -> bool:
    """A unit member (above companies) only reads, whatever their role."""
    return user_scope(user).read_only


def in_scope(user, company_id: int | None) -> bool:
    """Whether the user may see the company's objects."""
    ids = user_scope(user).company_ids
    return ids is None or (company_id is not None and company_id in ids)


def scoped(queryset: QuerySet, user, company_path: str = "company") -> QuerySet:
    """The rows of the queryset in the user's visible companies (``company_path``: the
    lookup from the row to its company, "county__company", "station__county__company" …)."""
    ids = user_scope(user).company_ids
    if ids is None:
        return queryset
    return queryset.filter(**{f"{company_path}__in": ids})
