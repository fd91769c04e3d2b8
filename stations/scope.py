"""Where a user may look: the part of the organisation tree their membership gives.

- station staff: their station's company;
- a company member (its committee, its administrators): that company;
- a unit member (a province viewer): every company below the unit, read only;
- a superuser: everything.

``None`` means "no limit" (superusers); an empty set means "nothing" (a user placed
nowhere), never "the first company".
"""

from __future__ import annotations

from stations.models import Company, OrgMember, StationMember
from stations.orgtree import subtree_unit_ids


def visible_company_ids(user) -> set[int] | None:
    """The companies the user may see; None for every company (superusers)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return None
    station = StationMember.objects.filter(user=user).values_list(
        "station__county__company_id", flat=True
    )
    found = set(station)
    member = OrgMember.objects.filter(user=user).first()
    if member is not None:
        if member.company_id is not None:
            found.add(member.company_id)
        elif member.unit_id is not None:
            units = subtree_unit_ids([member.unit_id])
            found.update(Company.objects.filter(parent_id__in=units).values_list("pk", flat=True))
    return found


def read_only_scope(user) -> bool:
    """A unit member (above companies) only reads, whatever their role."""
    return OrgMember.objects.filter(user=user, unit__isnull=False).exists()
