"""Which audit entries a reader sees: one rule, for the trail's page and its Django admin.

- **A company's entry** (a station, a version, an import …): to the readers whose scope
  holds that company. Another company's entry never.
- **An entry about a person or a unit** — a user (their rights, roles, permissions, their
  deletion), a user's membership (``OrgMember``), an organisation unit — belongs to no
  company, so it is read by where that person or unit is *now*: a reader sees it when their
  scope covers the person's place (their company, their unit or below it, their station's
  company) or the unit (their unit or below it); when they made it themselves or it is
  about them; or when a colleague placed within their scope *when they made it* made it
  (``AuditEntry.actor_company``/``actor_unit``; not a superuser: a
  superuser acts everywhere). So 宁波's administrator never reads the roles granted to a
  绍兴 user, nor the province's units; an entry about a user placed nowhere (or deleted)
  is read by superusers and by whoever made it.
- **A unit's common version** (weights, grading rules and targets a province publishes for
  the companies below it): to the readers it governs or who sit above it — placed at or
  below the unit, or at a unit above it — never to another province's. Such an entry
  names its unit (``AuditEntry.unit``), so it keeps its readers after the version is
  deleted.
- **What every company shares** (indicator definitions, role groups' permissions): every
  reader.
- Superusers read everything.

Audit sits below stations, so it does not read the tree itself: stations registers, in its
``ready``, how to read a reader's place (``ReaderPlace``). Until it has, a reader who is not
a superuser sees only the shared entries and their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEntry

#: The targets read by their place (labels: audit never imports stations).
USER = settings.AUTH_USER_MODEL.lower()
MEMBERSHIP = "stations.orgmember"
UNIT = "stations.orgunit"
ABOUT_PLACES = (USER, MEMBERSHIP, UNIT)


@dataclass(frozen=True)
class ReaderPlace:
    """What the organisation tree says about a reader who is not a superuser."""

    #: The companies of the reader's scope.
    company_ids: set[int]
    #: The units at and below the reader's place.
    unit_ids: set[int]
    #: Those, and the units above the reader's place and above its companies: the units
    #: whose common versions the reader reads.
    governing_unit_ids: set[int]
    #: The users placed within the reader's scope (a queryset of the user model).
    people: QuerySet
    #: Their memberships (a queryset of ``OrgMember``).
    memberships: QuerySet


PlaceOf = Callable[[Any], ReaderPlace]
#: An actor's place as an entry keeps it: (company id, unit id), either or both None.
ActorPlaceOf = Callable[[Any], tuple[int | None, int | None]]

_places: list[PlaceOf] = []
_actor_places: list[ActorPlaceOf] = []


def register(place_of: PlaceOf, actor_place_of: ActorPlaceOf | None = None) -> None:
    """Tell the audit trail how to read a reader's place and where an actor is placed
    (``stations`` does, once)."""
    _places[:] = [place_of]
    _actor_places[:] = [actor_place_of] if actor_place_of else []


def actor_place(user) -> tuple[int | None, int | None]:
    """Where ``user`` is placed as they act, kept on the entry; (None, None) for the
    system, a superuser (who acts everywhere) and before ``stations`` registered."""
    if (
        not _actor_places
        or not getattr(user, "is_authenticated", False)
        or getattr(user, "is_superuser", False)
    ):
        return None, None
    return _actor_places[0](user)


def _place(user) -> ReaderPlace | None:
    if not _places or not getattr(user, "is_authenticated", False):
        return None
    return _places[0](user)


def _text_ids(rows: QuerySet) -> QuerySet:
    """The rows' ids as an entry stores its target's (text), for a subquery."""
    return rows.annotate(text_id=Cast("pk", CharField())).values("text_id")


def visible_entries(entries: QuerySet[AuditEntry], user) -> QuerySet[AuditEntry]:
    """The entries of ``entries`` that ``user`` may read."""
    if getattr(user, "is_superuser", False):
        return entries
    about_places = Q(target_type__in=ABOUT_PLACES)
    of_a_unit = Q(unit__isnull=False)
    shared = Q(company__isnull=True, unit__isnull=True) & ~about_places
    # What they did themselves, and what was done to them (their own rights, their place).
    made_by_them = (
        Q(actor_id=user.pk) | Q(target_type=USER, target_id=str(user.pk))
        if getattr(user, "pk", None)
        else Q(pk__in=[])
    )
    place = _place(user)
    if place is None:
        return entries.filter(shared | ((about_places | of_a_unit) & made_by_them))
    placed_within = (
        Q(target_type=USER, target_id__in=_text_ids(place.people))
        | Q(target_type=MEMBERSHIP, target_id__in=_text_ids(place.memberships))
        | Q(target_type=UNIT, target_id__in=[str(pk) for pk in sorted(place.unit_ids)])
    )
    by_colleague = Q(actor_company_id__in=sorted(place.company_ids)) | Q(
        actor_unit_id__in=sorted(place.unit_ids)
    )
    theirs = Q(company_id__in=place.company_ids)
    governed = Q(unit_id__in=sorted(place.governing_unit_ids)) | (of_a_unit & made_by_them)
    return entries.filter(
        theirs | shared | governed | (about_places & (placed_within | made_by_them | by_colleague))
    )


def may_see(entry: AuditEntry, user) -> bool:
    """Whether ``user`` may read ``entry``."""
    return visible_entries(AuditEntry.objects.filter(pk=entry.pk), user).exists()
