from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo company (``manage.py load_demo``): on top of every product app, loading its
    data through their services; nothing imports it."""

    name = "demo"
    verbose_name = _("Demo company")

    def ready(self) -> None:
        from audit.labels import register
        from demo.company import DEMO_GROUP

        register({DEMO_GROUP: _("demo users")})  # the audit trail shows it granted
