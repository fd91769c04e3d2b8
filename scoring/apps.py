from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        # The tasks are looked up by name when a run is sent (scoring.services.recompute).
        import scoring.tasks  # noqa: F401
        from indicators.aftermath import register as register_import_effects
        from indicators.signals import values_changed
        from scoring.importeffects import import_effects
        from scoring.receivers import recompute_changed_months, start_new_company
        from stations.signals import company_created

        values_changed.connect(recompute_changed_months, dispatch_uid="scoring.recompute_months")
        company_created.connect(start_new_company, dispatch_uid="scoring.start_new_company")
        from scoring.treemoves import connect as connect_tree_moves

        connect_tree_moves()
        register_import_effects(import_effects)
        from audit.labels import register
        from scoring.storedtexts import STORED_TEXTS

        register(STORED_TEXTS)
