from django.urls import path

from mapviews import views

app_name = "mapviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("ranking/", views.ranking, name="ranking"),
    path("stations/<str:code>/", views.station_detail, name="station"),
]
