from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("add/", views.indicator_add, name="add"),
    # <path:code>: any stored code links (the form allows [a-z][a-z0-9_]*, a migration more).
    path("<path:code>/edit/", views.indicator_edit, name="edit"),
    path("<path:code>/retire/", views.indicator_retire, name="retire"),
]
