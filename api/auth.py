"""Who is calling: a feeding system's token (``Authorization: Bearer fm_…``), or a
logged-in user reading with their session; and which company they see."""

from __future__ import annotations

import ipaddress

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission

from api.models import ApiToken
from api.tokens import find_token, record_use
from config.clientaddress import client_address
from stations.viewer import viewed_company_id

BEARER = "bearer"


class TokenAuthentication(BaseAuthentication):
    """A token call needs no session or CSRF token; each use is recorded on the token."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, presented = header.partition(" ")
        if scheme.lower() != BEARER:
            return None
        token = find_token(presented.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("The API token is unknown or revoked."))
        record_use(token, _address(request))
        return (AnonymousUser(), token)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TranslatedSessionAuthentication(SessionAuthentication):
    """A logged-in user's session; its CSRF refusal in the site's language (DRF's own
    reads "CSRF Failed: …" in English whatever the language)."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refusal:
            raise exceptions.PermissionDenied(
                _(
                    "The request has no valid CSRF token for your session. Programs send an"
                    " API token (Authorization: Bearer …) instead."
                )
            ) from refusal


def _address(request) -> str:
    address = client_address(request._request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class TokenOrSession(BasePermission):
    """A token, or a logged-in user (who reads what their pages show them)."""

    message = _("Send an API token (Authorization: Bearer …) or log in.")

    def has_permission(self, request, view) -> bool:
        return token_of(request) is not None or bool(request.user.is_authenticated)


class SeesImports(TokenOrSession):
    """Import jobs: a token (its company's), or a user whose pages show the imports."""

    message = _("Only administrators see the import jobs.")

    def has_permission(self, request, view) -> bool:
        if token_of(request) is not None:
            return True
        user = request.user
        return bool(user.is_authenticated and user.has_perm("indicators.view_importbatch"))


class TokenOnly(BasePermission):
    """Only a feeding system's token sends values."""

    message = _("Sending values needs an API token made for a feeding system.")

    def has_permission(self, request, view) -> bool:
        return token_of(request) is not None


def company_id_of(request) -> int:
    """The company the caller sees: the token's, or the one the signed-in user looks at
    (``stations.viewer.viewed_company_id``: within their scope, ``?company=`` chooses)."""
    token = token_of(request)
    if token is not None:
        return token.company_id
    company_id = viewed_company_id(request)
    if company_id is None:
        raise exceptions.NotFound(_("There is no company yet."))
    return company_id
