"""Who may open a station's improvement work, said once for every page of it: its own
secretary, the committee and administrators change it (``can_manage_station``); its staff
read it too (``can_see_station_detail``). Refusals and missing records say why, in the
reader's language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from stations.models import Station
from stations.roles import can_manage_station, can_see_station, can_see_station_detail
from stations.scope import scoped


def check_station_access(request: HttpRequest, station: Station, *, manage: bool) -> None:
    """Refuse (403, with the reason) a user who may not read, or change, the station's work;
    a station of a company outside the user's scope is not found (404: its existence is
    not told)."""
    if not can_see_station(request.user, station):
        raise Http404(_("There is no such record (it may have been removed)."))
    if manage and not can_manage_station(request.user, station):
        raise PermissionDenied(
            _(
                "Only the branch secretary of %(station)s, the party committee and "
                "administrators change its improvement work."
            )
            % {"station": station.name}
        )
    if not manage and not can_see_station_detail(request.user, station):
        raise PermissionDenied(
            _(
                "The improvement work of %(station)s is shown to its own staff, the party "
                "committee and administrators."
            )
            % {"station": station.name}
        )


def station_or_404(request: HttpRequest, code: str, *, manage: bool) -> Station:
    """The station of the URL, if the user may read (or change) its work; a station of a
    company outside the user's scope is not found."""
    station = record_or_404(
        scoped(Station.objects.select_related("county"), request.user, "county__company"),
        code=code,
    )
    check_station_access(request, station, manage=manage)
    return station


def record_or_404(queryset: QuerySet, **lookup) -> Model:
    """``get_object_or_404`` with a message the reader understands."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(_("There is no such record (it may have been removed)."))
    return found
