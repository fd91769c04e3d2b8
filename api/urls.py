"""The API under /api/v1/: its schema at /api/v1/schema/, its docs at /api/v1/docs/.

Every view here is open to the login middleware (a token call has no session); each view
checks its own caller (``api.auth``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views
from api.errors import json_refusal

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files (drf-spectacular-sidecar), its start script
    served as a file: nothing inline, so the site's CSP holds."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


def _open(view):
    return login_not_required(view)


@login_not_required
def not_found(request, rest: str = ""):
    return json_refusal(_("There is no such address in the API."), 404)


urlpatterns = [
    path("schema/", _open(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", _open(DocsView.as_view()), name="docs"),
    path("values/", _open(views.Values.as_view()), name="values"),
    path("imports/", _open(views.ImportList.as_view()), name="imports"),
    path("imports/<int:pk>/", _open(views.ImportDetail.as_view()), name="import"),
    path("indicators/", _open(views.IndicatorList.as_view()), name="indicators"),
    path("counties/", _open(views.CountyList.as_view()), name="counties"),
    path("stations/", _open(views.StationList.as_view()), name="stations"),
    path("stations/<str:code>/", _open(views.StationDetail.as_view()), name="station"),
    path(
        "stations/<str:code>/history/",
        _open(views.StationHistory.as_view()),
        name="station-history",
    ),
    path("months/", _open(views.MonthList.as_view()), name="months"),
    path("months/<str:month>/", _open(views.MonthDetail.as_view()), name="month"),
    path("months/<str:month>/scores/", _open(views.MonthScores.as_view()), name="month-scores"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
