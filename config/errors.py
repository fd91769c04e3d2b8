"""Error pages that need the request: Django's own 400 view renders its template without
one, so the page could not extend the site's base template (header, language, links)."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request as plain_bad_request

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 on the site's page, saying what was wrong when it is our own message
    (``BadRequest``); Django's other refusals (e.g. a bad host) keep their reason to the log."""
    reason = str(exception) if type(exception) is BadRequest else ""
    try:
        return render(request, "400.html", {"exception": reason}, status=400)
    except Exception:  # a request too broken for the site's page still gets a 400
        logger.exception("The 400 page could not be drawn")
        return plain_bad_request(request, exception)
