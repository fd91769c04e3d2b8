"""Who may open a unit above companies (a province's page and the levels below it).

One rule, kept here so it merges with ``stations.scope``: superusers see every unit; a
unit member (``OrgMember.unit``) sees their unit and every unit below it; nobody else
sees a unit (a company's members and station staff look at their company).
"""

from __future__ import annotations

from stations.models import OrgMember, OrgUnit
from stations.orgtree import subtree_unit_ids


def member_unit_id(user) -> int | None:
    """The unit the user is placed in (None: in a company, or nowhere)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        OrgMember.objects.filter(user=user, unit__isnull=False)
        .values_list("unit_id", flat=True)
        .first()
    )


def visible_unit_ids(user, member_unit: int | None = None) -> set[int] | None:
    """The units the user may open; None for every unit (superusers). ``member_unit``:
    the user's ``member_unit_id`` when the caller has read it."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return None
    unit_id = member_unit if member_unit is not None else member_unit_id(user)
    return subtree_unit_ids([unit_id]) if unit_id is not None else set()


def may_see_unit(user, unit: OrgUnit, member_unit: int | None = None) -> bool:
    """The unit pages' access check (``member_unit`` as for ``visible_unit_ids``)."""
    visible = visible_unit_ids(user, member_unit)
    return visible is None or unit.pk in visible
