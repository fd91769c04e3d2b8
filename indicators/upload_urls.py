from django.urls import path

from indicators import upload

app_name = "imports"

urlpatterns = [
    path("", upload.upload, name="upload"),
    path("<int:pk>/", upload.job, name="job"),
]
