"""Answers made of kept pieces: gzipped without compressing the kept parts again.

``GZipMiddleware`` compresses every answer whole; an answer made here is gzipped by
``mapviews.gzipjoin`` when the client accepts it (the kept pieces as they were
compressed once, the request's own parts here) and carries ``Content-Encoding``, which
the middleware leaves alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from mapviews import gzipjoin
from mapviews.gzipjoin import Piece

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
#: As ``GZipMiddleware.max_random_bytes``: Django's BREACH mitigation.
MAX_RANDOM_BYTES = 100


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def joined(
    request: HttpRequest,
    parts: Sequence[str | bytes | Piece],
    *,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
) -> HttpResponse:
    """An answer of ``parts`` in order (text is encoded as UTF-8), gzipped when the
    client accepts it."""
    encoded = [part.encode() if isinstance(part, str) else part for part in parts]
    if accepts_gzip(request):
        response = HttpResponse(
            gzipjoin.gzipped(encoded, max_random_bytes=MAX_RANDOM_BYTES),
            content_type=content_type,
            status=status,
        )
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzipjoin.plain(encoded), content_type=content_type, status=status)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
