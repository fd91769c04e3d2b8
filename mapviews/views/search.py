"""The header's station search: suggestions as JSON for the search box's list, and a
plain page of the same results when the browser runs no script (or the list is not
used). Who may find which station is ``stations.selectors.searchable_company_ids``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from stations.selectors import SearchResult, search_stations


def _result(request: HttpRequest) -> SearchResult:
    return search_stations(request.user, request.GET.get("q", ""))


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """The results as a list of links; a search that finds one station opens its page."""
    result = _result(request)
    if len(result.stations) == 1 and not result.more:
        return redirect("mapviews:station", result.stations[0].code)
    return render(request, "mapviews/search.html", {"result": result})


@require_GET
def search_suggestions(request: HttpRequest) -> JsonResponse:
    """``{"query", "stations": [{"code", "name", "county", "active", "url"}], "more"}``."""
    result = _result(request)
    response = JsonResponse(
        {
            "query": result.query,
            "stations": [
                {
                    "code": station.code,
                    "name": station.name,
                    "county": station.county,
                    "active": station.active,
                    "url": reverse("mapviews:station", args=[station.code]),
                }
                for station in result.stations
            ],
            "more": result.more,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response
