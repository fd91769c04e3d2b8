"""Who may see and do what: the four roles, as Django groups with permissions.

- **Station staff** (站所员工): linked to one station (``StationMember``). They see the
  map, the ranking and every station's colour, score and rank; indicator-level detail
  only of their own station.
- **Station secretaries** (支部书记): staff who also manage their own station's
  improvement work.
- **Party committee** (党委): every station's detail and the review pages.
- **Administrators** (管理员): all of that, plus indicators, weights, grading rules,
  data imports and users.

The groups and their permissions are written here only; ``sync_role_groups`` (run after
every ``migrate``) makes the database match. The checks below are the only place the
rules are applied, so a view asks ``can_see_station_detail`` rather than testing groups.

Every rule holds inside the user's scope (``stations.scope``): the committee of 宁波 sees
every station's detail *of 宁波*, none of another city's; a station of a company the user
may not see is as if it did not exist (the views answer 404). A unit member (a province
viewer) only reads: ``readable_permissions`` keeps their view permissions only, so every
write is refused whatever their groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

from stations.scope import in_scope, read_only_scope

#: Custom permissions (declared on ``Station.Meta``).
VIEW_ALL_DETAILS = "stations.view_all_station_details"
MANAGE_ALL_STATIONS = "stations.manage_all_stations"
MANAGE_OWN_STATION = "stations.manage_own_station"
#: Answering objections, closing months and setting the due day (``scoring.MonthClose``).
CLOSE_MONTHS = "scoring.change_monthclose"


@dataclass(frozen=True)
class Role:
    key: str
    group: str  # the Django group's name (stored; not translated)
    label: object  # translated label
    permissions: tuple[str, ...]


_COMMITTEE = (
    VIEW_ALL_DETAILS,
    MANAGE_ALL_STATIONS,
    MANAGE_OWN_STATION,
    "scoring.view_weightset",
    "scoring.view_methodversion",
    "scoring.view_scorerun",
    "scoring.view_sensitivityrun",
)
#: Managing the organisation below one's place (``stations.scopeadmin``): its units, its
#: companies' codes and places, the people placed there and their memberships. An
#: administrator placed at a unit keeps them (``readable_permissions``): a province's
#: administrator manages the tree below the province while reading its companies' data.
TREE_PERMISSIONS = (
    "stations.view_orgunit",
    "stations.add_orgunit",
    "stations.change_orgunit",
    "stations.delete_orgunit",
    "stations.view_company",
    "stations.change_company",
    "stations.view_orgmember",
    "stations.add_orgmember",
    "stations.change_orgmember",
    "stations.delete_orgmember",
    "stations.view_stationmember",
    "stations.add_stationmember",
    "stations.change_stationmember",
    "stations.delete_stationmember",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
)
_ADMIN = (
    *_COMMITTEE,
    *TREE_PERMISSIONS,
    "indicators.view_indicator",
    "indicators.add_indicator",
    "indicators.change_indicator",
    "indicators.view_importbatch",
    "indicators.add_importbatch",
    "indicators.rollback_importbatch",
    "indicators.view_indicatorvalue",
    "scoring.add_weightset",
    "scoring.add_methodversion",
    "scoring.add_scorerun",
    "scoring.add_sensitivityrun",
    CLOSE_MONTHS,
    "scoring.view_monthclose",
    "stations.view_station",
    "stations.add_station",
    "stations.change_station",
    "audit.view_auditentry",
    "improvement.view_pairingoptions",
    "improvement.add_pairingoptions",
    "improvement.change_pairingoptions",
)

STATION_STAFF = Role("station_staff", "Station staff", _("station staff"), ())
STATION_SECRETARY = Role(
    "station_secretary", "Station secretaries", _("station secretary"), (MANAGE_OWN_STATION,)
)
PARTY_COMMITTEE = Role("party_committee", "Party committee", _("party committee"), _COMMITTEE)
ADMINISTRATOR = Role("admin", "Administrators", _("administrator"), _ADMIN)
ROLES = (STATION_STAFF, STATION_SECRETARY, PARTY_COMMITTEE, ADMINISTRATOR)
ROLES_BY_KEY = {role.key: role for role in ROLES}
#: A role group's stored name → the label a reader sees: the one mapping, used wherever a
#: group is shown (the audit trail registers it, ``StationsConfig.ready``).
GROUP_LABELS = {role.group: role.label for role in ROLES}


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions (those of apps
    that are installed)."""
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group)
        wanted = []
        for name in role.permissions:
            app_label, codename = name.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def readable_permissions(user, permissions: set[str]) -> set[str]:
    """The permissions the user has in their scope: a unit member (read only) keeps the
    view permissions and the committee's view of every station's detail, and those of
    managing the tree below their unit (``TREE_PERMISSIONS``, which only an
    administrator's role gives), nothing else."""
    if not read_only_scope(user):
        return permissions
    return {
        name
        for name in permissions
        if name == VIEW_ALL_DETAILS
        or name in TREE_PERMISSIONS
        or name.split(".", 1)[-1].startswith("view_")
    }


def own_station_id(user) -> int | None:
    """The station the user works at, if any."""
    membership = getattr(user, "station_membership", None)
    return membership.station_id if membership is not None else None


def station_company_id(station) -> int | None:
    """The company of a station (a ``Station``, its county read if not loaded, or an id)."""
    from stations.models import Station

    if isinstance(station, Station):
        return station.county.company_id
    return Station.objects.filter(pk=station).values_list("county__company_id", flat=True).first()


def _station_id(station) -> int:
    return station if isinstance(station, int) else station.pk


def can_see_station(user, station) -> bool:
    """Whether the station exists for the user at all: it is of a company in their scope."""
    return in_scope(user, station_company_id(station))


def can_see_station_detail(user, station) -> bool:
    """Indicator-level detail: one's own station, or every station of the companies in
    one's scope for the committee."""
    if own_station_id(user) == _station_id(station):
        return True
    return user.has_perm(VIEW_ALL_DETAILS) and can_see_station(user, station)


def can_close_months(user) -> bool:
    """Answering objections, closing months, the due day and reminders: administrators."""
    return user.has_perm(CLOSE_MONTHS)


def can_object_for(user, station) -> bool:
    """An objection to a provisional grade: the station's own staff and secretary only
    (the committee and administrators answer objections, they do not raise them)."""
    return user.is_authenticated and own_station_id(user) == _station_id(station)


def can_see_all_details(user) -> bool:
    return user.has_perm(VIEW_ALL_DETAILS)


def can_manage_station(user, station) -> bool:
    """Improvement work of a station: its own secretary, the committee and administrators
    of its company (a unit member only reads)."""
    if user.has_perm(MANAGE_ALL_STATIONS):
        return can_see_station(user, station)
    return user.has_perm(MANAGE_OWN_STATION) and own_station_id(user) == _station_id(station)


def role_labels(user) -> list[str]:
    """The user's roles, best known first (for the header and the user list)."""
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.add(ADMINISTRATOR.group)
    labels = [str(GROUP_LABELS[role.group]) for role in reversed(ROLES) if role.group in names]
    # A secretary is staff too: name the larger role only.
    if str(STATION_SECRETARY.label) in labels and str(STATION_STAFF.label) in labels:
        labels.remove(str(STATION_STAFF.label))
    return labels
