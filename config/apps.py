from django.contrib.admin.apps import AdminConfig


class StationMapAdminConfig(AdminConfig):
    """The Django admin, with its login behind the failed-login limits (config.login)."""

    default_site = "config.login.StationMapAdminSite"
