from django.urls import path

from indicators import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template/<str:layout>.<str:file_format>", views.template, name="template"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
]
