from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapviewsConfig(AppConfig):
    name = "mapviews"
    verbose_name = _("Map views")

    def ready(self) -> None:
        from indicators.signals import values_changed
        from mapviews import pagecache
        from scoring.signals import grades_published
        from stations.signals import company_created, stations_imported

        # Kept page bodies are out of date when rows change or these are announced.
        pagecache.connect([values_changed, grades_published, company_created, stations_imported])

        # The settings' checks (manage.py check, runserver) register as the module loads.
        from mapviews import checks  # noqa: F401
