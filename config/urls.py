from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from config.health import health
from config.login import SiteLoginView
from scoring.urls import indicator_urlpatterns

admin.site.site_header = _("Five-colour station map administration")
admin.site.site_title = _("Five-colour station map")

#: A bad query value (``BadRequest``) is answered on the site's page, with its reason.
handler400 = "config.errors.bad_request"

urlpatterns = [
    path("", include("mapviews.urls")),
    path("manage/indicators/", include((indicator_urlpatterns, "indicators"))),
    path("manage/imports/", include("indicators.urls")),
    # Failed logins are limited here and at /admin/login/ by django-axes (config/login.py).
    path("accounts/login/", SiteLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every logged-in user changes their own password; the session stays logged in.
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The language switch works before login too (it is on the login page).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("manage/audit/", include("audit.urls")),
    path("improvement/", include("improvement.urls")),
    path("manage/", include("scoring.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    # The feeding systems' API (api/urls.py): schema at /api/v1/schema/, docs at /api/v1/docs/.
    path("api/v1/", include("api.urls")),
]

# A database or Redis that does not answer gets the "try again" page (503), not a 500.
handler500 = "config.errors.server_error"
