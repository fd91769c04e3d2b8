from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("add/", views.indicator_add, name="add"),
    path("<slug:code>/edit/", views.indicator_edit, name="edit"),
    path("<slug:code>/retire/", views.indicator_retire, name="retire"),
]
