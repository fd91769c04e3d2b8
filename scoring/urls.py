from django.urls import path

from scoring.views import methods, months, weights

app_name = "scoring"

urlpatterns = [
    path("weights/", weights.weight_list, name="weights"),
    path("weights/new/", weights.weight_new, name="weight_new"),
    path("weights/<int:version>/", weights.weight_detail, name="weight_detail"),
    path("weights/<int:version>/publish/", weights.weight_publish, name="weight_publish"),
    path("methods/", methods.method_list, name="methods"),
    path("methods/new/", methods.method_new, name="method_new"),
    path("methods/<int:version>/", methods.method_detail, name="method_detail"),
    path("methods/<int:version>/publish/", methods.method_publish, name="method_publish"),
    path("months/<str:period>/", months.month_review, name="month_review"),
    path("months/<str:period>/publish/", months.month_publish, name="month_publish"),
]
