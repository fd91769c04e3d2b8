"""Who may read and who may publish a unit's common method (its weights, grading rules
and targets).

- **Reading** a unit's versions: whoever may open the unit (``stations.unitscope``:
  superusers, and the members of the unit or of a unit above it) and reads versions
  (the committee's and administrators' view permissions, which a unit member keeps).
  Anyone else gets a 404 for the unit, as on the unit's page: another province's unit
  does not exist for them, nor does a province for a city's staff.
- **Publishing** there: superusers, and an administrator placed at the unit or at a unit
  above it. A unit member only reads the *companies'* pages (``stations.scope``: their
  role's write permissions are kept from them there), so the role is read here from
  the groups themselves: an administrator's ``scoring.add_weightset`` (weights) or
  ``scoring.add_methodversion`` (grading rules and targets). A province viewer (the
  committee's role) has neither and sees no form.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from stations.models import OrgUnit
from stations.orgtree import subtree_unit_ids
from stations.unitscope import may_see_unit, member_unit_id

PUBLISH_WEIGHTS = "scoring.add_weightset"
PUBLISH_RULES = "scoring.add_methodversion"
READ_PERMISSIONS = ("scoring.view_weightset", "scoring.view_methodversion")


def visible_unit_or_404(user, code: str) -> OrgUnit:
    """The unit of that code when the user may open it; a 404 otherwise (no such unit,
    or one outside the user's part of the tree)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not may_see_unit(user, unit):
        raise Http404(_("There is no such organisation unit."))
    return unit


def may_read_unit_methods(user) -> bool:
    """Reads versions (with the unit visible: ``visible_unit_or_404``)."""
    return any(user.has_perm(permission) for permission in READ_PERMISSIONS)


def may_publish_at(user, unit: OrgUnit, permission: str) -> bool:
    """Superusers; an active administrator placed at the unit or at a unit above it
    (``permission``: ``PUBLISH_WEIGHTS`` or ``PUBLISH_RULES``)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    placed = member_unit_id(user)
    if placed is None or unit.pk not in subtree_unit_ids([placed]):
        return False
    return _role_grants(user, permission)


def publishing_rights(user, unit: OrgUnit) -> dict[str, bool]:
    """What the pages offer: ``can_publish_weights``, ``can_publish_rules``."""
    return {
        "can_publish_weights": may_publish_at(user, unit, PUBLISH_WEIGHTS),
        "can_publish_rules": may_publish_at(user, unit, PUBLISH_RULES),
    }


def _role_grants(user, permission: str) -> bool:
    """Whether the user's groups (or the user) hold the permission, before the read-only
    limit of a unit member's scope is applied."""
    app_label, codename = permission.split(".", 1)
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label=app_label,
        codename=codename,
    ).exists()
