from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs) -> None:
    """After every migrate (and flush): make every app's permissions, then give the role
    groups theirs. The signal comes once per app after the whole migrate; answering only
    this app's is enough, since every app's permissions are made here."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    if sender.name != "stations":
        return
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    from audit.services import not_recorded
    from stations.roles import sync_role_groups

    with not_recorded():  # the groups' permissions are defined in the code, not by a person
        sync_role_groups()


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="stations.sync_roles")
        from audit.labels import register
        from stations.roles import GROUP_LABELS

        register(GROUP_LABELS)  # the audit trail shows a granted group by its label
        from audit import visibility
        from stations.subtree import actor_place, audit_place

        # The audit trail reads by the reader's place, and keeps the actor's with each entry.
        visibility.register(audit_place, actor_place)
        from stations import shapechanges

        shapechanges.connect()
