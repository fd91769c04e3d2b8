"""The map's shapes as files the browser keeps (``stations.shapefiles``).

``/map/shapes/<digest>/<part>.json``: the URL names the shapes' fingerprint, so what it
answers never changes and the browser may keep it for a year without asking again
(``immutable``). A fingerprint that is no longer the company's (the shapes changed
since the page was made) is sent on to the current one, never cached. The documents
are kept gzipped: a browser that accepts gzip gets those bytes as they are.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from stations.areas import shapes_digest
from stations.shapefiles import is_part, shape_document
from stations.viewer import viewed_company

#: A year: the longest a browser is asked to keep anything.
KEEP_SECONDS = 365 * 24 * 3600


def shape_url(digest: str, part: str) -> str:
    return reverse("mapviews:shape_file", args=[digest, part])


@login_not_required
@require_GET
def shape_file(request: HttpRequest, digest: str, part: str) -> HttpResponse:
    """One document of the viewer's company's shapes (the widget's viewers too, when it
    is public)."""
    if not (request.user.is_authenticated or settings.WIDGET_PUBLIC):
        return JsonResponse({"error": _("Log in to see the map")}, status=403)
    company = viewed_company(request)
    if company is None or not is_part(part):
        raise Http404
    current = shapes_digest(company.pk)
    if digest != current:
        moved = HttpResponseRedirect(shape_url(current, part))
        patch_cache_control(moved, no_store=True)
        return moved
    document = shape_document(company.pk, current, part)
    if document is None:
        raise Http404
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(
        document.gzipped if accepts_gzip else document.raw, content_type="application/json"
    )
    if accepts_gzip:
        response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response.headers["ETag"] = f'"{current[:32]}-{part}"'
    # The viewer's company's shapes: kept by their browser only, never by a shared cache.
    patch_cache_control(response, private=True, max_age=KEEP_SECONDS, immutable=True)
    return response
