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
