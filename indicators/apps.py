from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The tasks are looked up by name when a job is sent (indicators.jobs).
        import indicators.tasks  # noqa: F401
        from audit.labels import register
        from indicators.storedtexts import STORED_TEXTS

        register(STORED_TEXTS)
