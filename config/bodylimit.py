"""A hard cap on request bodies, checked before anything reads them.

Django limits the form fields it holds in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but
streams uploaded files of any size to temporary files, so a 1 GB POST to the login
page would be read whole. This middleware answers 413 (templates/413.html) to a
request whose Content-Length is over the limit for its path, and 411 to a body sent
without a Content-Length (chunked), which it could only bound by reading it.

The upload pages allow their file limit plus room for the form around the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stations.geoimport import MAX_GEOJSON_BYTES

PAYLOAD_TOO_LARGE = 413
LENGTH_REQUIRED = 411
#: Room for the multipart boundaries and the other fields of an upload form.
FORM_ROOM = 1024 * 1024


def _import_limit() -> int:
    return settings.IMPORT_MAX_FILE_BYTES + FORM_ROOM


def _geojson_limit() -> int:
    return MAX_GEOJSON_BYTES + FORM_ROOM


def _api_batch_limit() -> int:
    return settings.API_MAX_BODY_BYTES


#: Paths that take an upload, and the largest body each accepts.
UPLOAD_PATHS: list[tuple[re.Pattern[str], Callable[[], int]]] = [
    (re.compile(r"^/manage/imports/"), _import_limit),
    (re.compile(r"^/admin/stations/[a-z]+/upload/$"), _geojson_limit),
    (re.compile(r"^/api/v1/values/$"), _api_batch_limit),
]
#: Paths whose callers are programs: refused in JSON, not with the page.
JSON_PATHS = re.compile(r"^/api/")


def body_limit(path: str) -> int:
    """The largest request body (bytes) accepted at ``path``."""
    for pattern, limit in UPLOAD_PATHS:
        if pattern.match(path):
            return limit()
    return settings.REQUEST_MAX_BODY_BYTES


def declared_length(request: HttpRequest) -> int | None:
    """The Content-Length as a number; None when absent or unreadable."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path_info)
        length = declared_length(request)
        if length is None and "HTTP_TRANSFER_ENCODING" in request.META:
            return _refusal(request, LENGTH_REQUIRED, limit)
        if length is not None and length > limit:
            return _refusal(request, PAYLOAD_TOO_LARGE, limit)
        return self.get_response(request)


def _refusal(request: HttpRequest, status: int, limit: int) -> HttpResponse:
    if JSON_PATHS.match(request.path_info):
        if status == LENGTH_REQUIRED:
            message = _("Send the body with a Content-Length header (not chunked).")
        else:
            message = _("The body is larger than the limit of %(limit)d bytes.") % {"limit": limit}
        return JsonResponse({"detail": message, "limit_bytes": limit}, status=status)
    context = {"limit_bytes": limit, "length_required": status == 411}
    return render(request, "413.html", context, status=status)
