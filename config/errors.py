"""Error pages: what a request gets when it cannot be answered.

- ``bad_request`` (handler400): the site's page, saying what was wrong when it is our own
  message (``BadRequest``). Django's own 400 view renders its template without the
  request, so the page could not extend the site's base template (header, language).
- ``server_error`` (handler500): a request that failed because a service did not answer
  gets 503. A PostgreSQL restart makes every request in flight fail with
  OperationalError or InterfaceError, from the session lookup in a middleware as much as
  from a view; those requests get a translated "try again" page with ``Retry-After``
  instead of the bare "Server Error (500)". That page is rendered without the request (no
  context processors, session or user), so it needs no database.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Failures of a service that come back by themselves: the request may be tried again.
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 10


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 on the site's page; Django's other refusals (e.g. a bad host) keep their reason
    to the log."""
    reason = str(exception) if type(exception) is BadRequest else ""
    if request.path_info.startswith("/api/"):  # a program's call: JSON, never the page
        return JsonResponse({"detail": reason or _("Bad request.")}, status=400)
    try:
        return render(request, "400.html", {"exception": reason}, status=400)
    except Exception:  # a request too broken for the site's page still gets a 400
        logger.exception("The 400 page could not be drawn")
        return defaults.bad_request(request, exception)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    body = render_to_string("503.html", {"path": request.get_full_path()})
    return HttpResponse(body, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when the error (or what caused it) is a service that did not answer."""
    error: BaseException | None = sys.exc_info()[1]
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UNAVAILABLE):
            return service_unavailable(request)
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return defaults.server_error(request)
