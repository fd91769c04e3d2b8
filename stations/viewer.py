"""Who the viewer is and what they may choose: their company and its counties.

Every page that shows one company's months starts here (``scoring.viewer.chosen_month``).
The company is one of the user's scope (``stations.scope``): station staff see their
station's company; a company member that company; a unit member (or a superuser) chooses
among the companies they may see with ``?company=<id>``, kept in the session for the next
pages (the first by name until they choose). A user placed nowhere sees no company's data.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from stations.models import COUNTY_ORDER, Company, County
from stations.scope import user_scope

#: The query parameter that chooses the viewed company, and where the choice is kept.
COMPANY_PARAMETER = "company"
SESSION_KEY = "viewed_company"
_ID = re.compile(r"[0-9]{1,18}")


class NotPlaced(PermissionDenied):
    """The user is placed nowhere in the organisation: no company's data is theirs (a 403;
    ``config.middleware.OrganisationScopeMiddleware`` answers it with a page that says so)."""


def company_for_user(user, wanted: int | None = None) -> Company | None:
    """The company the user looks at: ``wanted`` when they may see it (else 404), or by
    default their station's, else the first they may see by name; None when they may
    see none."""
    ids = user_scope(user).company_ids
    if wanted is not None:
        if ids is not None and wanted not in ids:
            raise Http404(_("There is no such company."))
        found = Company.objects.filter(pk=wanted).first()
        if found is None:
            raise Http404(_("There is no such company."))
        return found
    if ids is None:
        return Company.objects.order_by("name", "pk").first()
    if not ids:
        return None
    return Company.objects.filter(pk=ids[0]).first()


def wanted_company(request: HttpRequest) -> int | None:
    """The company id the request asks for (``?company=``, else the one chosen before in
    this session); a value that is not an id is a bad request."""
    text = request.GET.get(COMPANY_PARAMETER)
    if text is None:
        session = getattr(request, "session", None)
        kept = session.get(SESSION_KEY) if session is not None else None
        return kept if isinstance(kept, int) else None
    if not text:
        return None
    if not _ID.fullmatch(text):
        raise BadRequest(_("%s is not a record number.") % text[:40])
    return int(text)


def viewed_company_id(request: HttpRequest) -> int | None:
    """The id of the company the request's pages show, checked against the user's scope
    (read once per request; no query but a superuser's first company). A company asked
    for that the user may not see is a 404; one chosen earlier in the session that they
    may no longer see is forgotten."""
    if hasattr(request, "_viewed_company_id"):
        return request._viewed_company_id
    if not request.user.is_authenticated:
        # Only the public widget (``WIDGET_PUBLIC``) is open to visitors: the first company.
        request._viewed_company_id = (
            Company.objects.order_by("pk").values_list("pk", flat=True).first()
        )
        return request._viewed_company_id
    ids = user_scope(request.user).company_ids
    if ids == ():
        request._viewed_company_id = None  # what the refusal page's header shows
        raise NotPlaced(_("Your account is not placed in the organisation yet"))
    asked = request.GET.get(COMPANY_PARAMETER) is not None
    try:
        wanted = wanted_company(request)
    except BadRequest:
        request._viewed_company_id = _first(ids)
        raise
    chosen: int | None
    if wanted is not None and (ids is None or wanted in ids):
        chosen = wanted
    else:
        chosen = _first(ids)
        if wanted is not None and asked:
            request._viewed_company_id = chosen  # what the 404 page's header shows
            raise Http404(_("There is no such company."))
        if wanted is not None:  # kept in the session, no longer in scope
            request.session.pop(SESSION_KEY, None)
    session = getattr(request, "session", None)
    if asked and chosen is not None and session is not None:
        session[SESSION_KEY] = chosen
    request._viewed_company_id = chosen
    return chosen


def _first(ids: tuple[int, ...] | None) -> int | None:
    """The company shown by default: the first of the scope (a superuser's: by name)."""
    if ids is None:
        return Company.objects.order_by("name", "pk").values_list("pk", flat=True).first()
    return ids[0] if ids else None


def viewed_company(request: HttpRequest) -> Company | None:
    """The company the request's pages show (``viewed_company_id``), read once."""
    if hasattr(request, "_viewed_company"):
        return request._viewed_company
    company_id = viewed_company_id(request)
    company = None
    if company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            raise Http404(_("There is no such company."))
    request._viewed_company = company
    return company


def company_choices(user) -> list[tuple[int, str]]:
    """The companies the user may switch between, ``(id, name)`` by name (empty when
    there is only one)."""
    ids = user_scope(user).company_ids
    if ids is not None and len(ids) < 2:
        return []
    companies = Company.objects.order_by("name", "pk")
    if ids is not None:
        companies = companies.filter(pk__in=ids)
    found = list(companies.values_list("pk", "name"))
    return found if len(found) > 1 else []


def counties(company_id: int) -> list[County]:
    """The company's counties in their listed order (``COUNTY_ORDER``: the official order
    an administrator set, then by pinyin)."""
    return list(County.objects.filter(company_id=company_id).order_by(*COUNTY_ORDER))


def has_county(company_id: int, county_id: int) -> bool:
    return County.objects.filter(company_id=company_id, pk=county_id).exists()
