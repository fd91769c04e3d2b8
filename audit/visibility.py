"""Which audit entries a reader sees: the entries of the companies in their scope, and the
entries that belong to no company (indicator definitions, users, groups, organisation
units: what every company shares or what sits above them). Another company's entry never.

Audit sits below stations, so it does not read the scope itself: stations registers
``stations.scope.visible_company_ids`` in its ``ready``. Until it has, a reader who is not a
superuser sees only the entries that belong to no company.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEntry

#: user → the ids of the companies they may see (None: every company).
CompanyIds = Callable[[Any], "set[int] | None"]

_scope: list[CompanyIds] = []


def register(visible_company_ids: CompanyIds) -> None:
    """Tell the audit trail how to read a user's companies (``stations`` does, once)."""
    _scope[:] = [visible_company_ids]


def visible_company_ids(user) -> set[int] | None:
    """The companies whose entries ``user`` sees; None for all of them."""
    if getattr(user, "is_superuser", False):
        return None
    if not _scope or not getattr(user, "is_authenticated", False):
        return set()
    return _scope[0](user)


def visible_entries(entries: QuerySet[AuditEntry], user) -> QuerySet[AuditEntry]:
    """The entries of ``entries`` that ``user`` may read."""
    ids = visible_company_ids(user)
    if ids is None:
        return entries
    return entries.filter(Q(company__isnull=True) | Q(company_id__in=ids))


def may_see(entry: AuditEntry, user) -> bool:
    """Whether ``user`` may read ``entry``."""
    ids = visible_company_ids(user)
    return ids is None or entry.company_id is None or entry.company_id in ids
