from django.urls import path

from scoring.views import (
    indicators,
    methods,
    monthclose,
    months,
    ownmethod,
    targets,
    units,
    weights,
)

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
    path("targets/", targets.target_list, name="target_list"),
    path("targets/new/", targets.target_new, name="target_new"),
    path("own-method/", ownmethod.own_method, name="own_method"),
    # A unit's common method (<str:code>: a unit's code never holds a "/").
    path("units/<str:code>/", units.unit_method, name="unit_method"),
    path("units/<str:code>/weights/", units.unit_weights, name="unit_weights"),
    path("units/<str:code>/weights/new/", units.unit_weight_new, name="unit_weight_new"),
    path(
        "units/<str:code>/weights/<int:version>/",
        units.unit_weight_detail,
        name="unit_weight_detail",
    ),
    path("units/<str:code>/methods/", units.unit_methods, name="unit_methods"),
    path("units/<str:code>/methods/new/", units.unit_method_new, name="unit_method_new"),
    path(
        "units/<str:code>/methods/<int:version>/",
        units.unit_method_detail,
        name="unit_method_detail",
    ),
    path("units/<str:code>/targets/", units.unit_targets, name="unit_targets"),
    path("units/<str:code>/targets/new/", units.unit_target_new, name="unit_target_new"),
    path("month-close/", monthclose.close_overview, name="month_close"),
    path("month-close/rules/", monthclose.rules_save, name="month_rules"),
    path("month-close/<str:period>/", monthclose.close_detail, name="month_close_detail"),
    path("month-close/<str:period>/open/", monthclose.month_open, name="month_open"),
    path(
        "month-close/<str:period>/confirm-close/",
        monthclose.month_close_confirm,
        name="month_close_confirm",
    ),
    path("month-close/<str:period>/close/", monthclose.month_close_now, name="month_close_now"),
    path("objections/<int:pk>/answer/", monthclose.objection_answer, name="objection_answer"),
    path("stations/<path:code>/objection/", monthclose.objection_new, name="objection_new"),
    path("months/<str:period>/", months.month_review, name="month_review"),
    path("months/<str:period>/publish/", months.month_publish, name="month_publish"),
]

#: The indicators page (``/manage/indicators/``) keeps its own namespace, ``indicators``:
#: config.urls includes these as ``(indicator_urlpatterns, "indicators")``.
indicator_urlpatterns = [
    path("", indicators.indicator_list, name="list"),
    path("add/", indicators.indicator_add, name="add"),
    # <path:code>: any stored code links (the form allows [a-z][a-z0-9_]*, a migration more).
    path("<path:code>/edit/", indicators.indicator_edit, name="edit"),
    path("<path:code>/retire/", indicators.indicator_retire, name="retire"),
]
