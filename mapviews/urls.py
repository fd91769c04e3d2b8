from django.urls import path, re_path

from mapviews.views import history, home, matrix, ranking, search, shapes, station, unit, widget

app_name = "mapviews"

urlpatterns = [
    path("", home.map_page, name="home"),
    path("map/", home.map_page, name="map"),
    path("map/month.json", home.map_month, name="map_month"),
    re_path(
        r"^map/shapes/(?P<digest>[0-9a-f]{64})/(?P<part>[a-z0-9-]{1,40})\.json$",
        shapes.shape_file,
        name="shape_file",
    ),
    path("widget/", widget.widget, name="widget"),
    path("widget/map.json", widget.widget_map, name="widget_map"),
    path("matrix/", matrix.matrix, name="matrix"),
    path("ranking/", ranking.ranking, name="ranking"),
    re_path(
        r"^ranking/export\.(?P<file_format>csv|xlsx)$",
        ranking.ranking_export,
        name="ranking_export",
    ),
    path("history/", history.history, name="history"),
    path("search/", search.search_page, name="search"),
    path("search/stations.json", search.search_suggestions, name="search_suggestions"),
    # <path:code>: every stored code links, even one with a "/" (stations.codes).
    path("stations/<path:code>/", station.station_detail, name="station"),
    # A unit above companies (a province): its children on a map, by grade shares.
    path("org/<str:code>/", unit.unit_page, name="unit"),
]
