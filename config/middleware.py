"""Language choice: Chinese unless the user picked another language.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an
office PC with an English system would get English pages. Here only the
user's explicit choice (the language cookie set by /i18n/setlang/) counts;
everyone else gets LANGUAGE_CODE (zh-hans).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from stations.viewer import COMPANY_PARAMETER, NotPlaced, viewed_company_id


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RefuseNullCharactersMiddleware:
    """A NUL character in the path, the query or a form answers 400 here, once for every
    page: no page or database (PostgreSQL refuses NUL in text) has to expect one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_null(request.GET) or _has_null(_form(request)):
            raise BadRequest(_("The address or the form contains a NUL character."))
        return self.get_response(request)


def _form(request) -> QueryDict:
    """The fields of a posted plain form. An upload (multipart) is left to the view, which
    may choose how to store it; its text fields go through Django forms, which refuse NUL."""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return QueryDict()
    return request.POST


def _has_null(values: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in values.lists()
    )


class BadRequestPageMiddleware:
    """A request a view refuses (``BadRequest``: a bad month, county or company) answers
    the site's 400 page with its reason, under ``DEBUG`` too: Django's debug page for it
    is a traceback, which nobody should be shown for a wrong parameter (``make run``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import BadRequest

        from config.errors import bad_request

        if type(exception) is BadRequest:
            return bad_request(request, exception)
        return None


class OrganisationScopeMiddleware:
    """Reads the user's scope (``config.authbackend.kept_scope``: kept per state of the
    data). A page of a company's data opened by a user placed nowhere in the organisation
    (no station, company or unit: ``stations.viewer.NotPlaced``) answers a page that says
    so; a ``?company=`` the user may not see is not found (404) on every page, whether it
    reads it or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from config.authbackend import kept_scope

        if not request.user.is_authenticated:
            return None
        kept_scope(request.user)
        match = request.resolver_match
        if COMPANY_PARAMETER in request.GET and not (match and "admin" in match.namespaces):
            try:
                viewed_company_id(request)  # another company than theirs: 404
            except NotPlaced:
                return _not_placed(request)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, NotPlaced):
            return _not_placed(request)
        return None


def _not_placed(request):
    from django.template.response import TemplateResponse

    return TemplateResponse(request, "not_placed.html", status=403).render()
