"""The audit trail: who changed what, when, and the values before and after.

Entries are append-only. ``save()`` only inserts, ``delete()`` and the queryset's
``update()``/``delete()`` refuse, and the only permission is "view". (Deleting a
user still works: it clears ``actor`` through Django's base manager and keeps
``actor_name``.)
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from audit.labels import stored_text


class AuditEntryIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""

    def __init__(self) -> None:
        super().__init__("Audit entries are append-only: they cannot be changed or deleted.")


class Action(models.TextChoices):
    WEIGHTS_CREATED = "weights.created", _("weight version created")
    WEIGHTS_DELETED = "weights.deleted", _("weight version deleted")
    METHOD_CREATED = "method.created", _("scoring method version created")
    METHOD_DELETED = "method.deleted", _("scoring method version deleted")
    INDICATOR_CREATED = "indicator.created", _("indicator created")
    INDICATOR_CHANGED = "indicator.changed", _("indicator changed")
    IMPORT_LOADED = "import.loaded", _("indicator file loaded")
    IMPORT_ROLLED_BACK = "import.rolled_back", _("indicator file rolled back")
    ROLE_GRANTED = "role.granted", _("role granted")
    ROLE_REVOKED = "role.revoked", _("role revoked")
    PERMISSION_GRANTED = "permission.granted", _("permission granted")
    PERMISSION_REVOKED = "permission.revoked", _("permission revoked")
    STATION_MEMBER_CHANGED = "station_member.changed", _("station membership changed")
    USER_CHANGED = "user.changed", _("user rights changed")
    USER_DELETED = "user.deleted", _("user deleted")
    GRADES_PUBLISHED = "grades.published", _("re-grade published")
    STATIONS_IMPORTED = "stations.imported", _("station file loaded")
    SERVICE_AREAS_IMPORTED = "areas.imported", _("service area file loaded")
    BOUNDARIES_IMPORTED = "boundaries.imported", _("county boundary file loaded")
    STATION_CREATED = "station.created", _("station created")
    STATION_CHANGED = "station.changed", _("station changed")
    STATION_DELETED = "station.deleted", _("station deleted")
    MONTH_OPENED = "month.opened", _("month opened for review (provisional)")
    MONTH_CLOSED = "month.closed", _("month closed (grades final)")
    MONTH_RULES_CHANGED = "month_rules.changed", _("due day and review rules changed")
    OBJECTION_RAISED = "objection.raised", _("objection raised")
    OBJECTION_RESOLVED = "objection.resolved", _("objection answered")
    REMINDERS_SENT = "reminders.sent", _("missing-data reminders sent")
    API_TOKEN_ISSUED = "api_token.issued", _("API token made")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    OWN_METHOD_SET = "own_method.set", _("company uses its own method")
    OWN_METHOD_CLEARED = "own_method.cleared", _("company inherits its unit's method")
    ORG_IMPORTED = "org.imported", _("organisation file loaded")
    ORG_UNIT_CREATED = "org_unit.created", _("organisation unit created")
    ORG_UNIT_CHANGED = "org_unit.changed", _("organisation unit changed")
    ORG_UNIT_DELETED = "org_unit.deleted", _("organisation unit deleted")
    COMPANY_CHANGED = "company.changed", _("company changed")
    ORG_MEMBER_CHANGED = "org_member.changed", _("organisation membership changed")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEntryIsAppendOnly()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEntryIsAppendOnly()

    def delete(self):
        raise AuditEntryIsAppendOnly()


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(
        _("by (user name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the user is deleted; empty for the system or the command line."),
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField(_("what (type)"), max_length=100)
    target_id = models.CharField(_("what (id)"), max_length=64, blank=True)
    #: The target as the default language (Chinese) names it, and as English does: each
    #: reader sees the words of their language ("v1 from 2000-01", not "v1（自 2000-01
    #: 起）"). Entries from before both were kept have only the first, in the language of
    #: whoever made the change.
    target_repr = models.CharField(_("what"), max_length=200)
    target_repr_en = models.CharField(_("what (English)"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    #: The company the change is about (``audit.companies``); empty for what every company
    #: shares or what sits above companies (indicators, users, groups, organisation units).
    #: PROTECT: an entry is never changed, so its company is never cleared — cleared, another
    #: company's history would read as a shared change every auditor sees.
    company = models.ForeignKey(
        "stations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )

    #: The unit whose common version the change is about (a province's weights, grading
    #: rules or targets, ``audit.visibility``); empty for everything else. Kept on the
    #: entry so that it is read by the same readers after the version is deleted.
    unit = models.ForeignKey(
        "stations.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation unit"),
    )

    #: Where the actor was placed when they acted (``audit.visibility.actor_place``): a
    #: company (its members and station staff) or a unit above companies; both empty for a
    #: superuser, someone placed nowhere, the system. An entry about a person is read by
    #: the actor's colleagues of that place, even after the actor has moved elsewhere.
    actor_company = models.ForeignKey(
        "stations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor's company"),
    )
    actor_unit = models.ForeignKey(
        "stations.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor's organisation unit"),
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_repr}"

    def save(self, *, force_insert=False, force_update=False, using=None, update_fields=None):
        if not self._state.adding or force_update or update_fields is not None:
            raise AuditEntryIsAppendOnly()
        super().save(force_insert=True, using=using)

    def delete(self, using=None, keep_parents=False):
        raise AuditEntryIsAppendOnly()

    @property
    def actor_label(self) -> str:
        return self.actor_name or str(_("system / command line"))

    @property
    def target_label(self) -> str:
        """The target named in the reader's language (a role group by its label)."""
        english = (get_language() or "").startswith("en")
        name = self.target_repr_en if english and self.target_repr_en else self.target_repr
        return stored_text(name)

    @property
    def reason_is_a_value(self) -> bool:
        """Whether the reason is among the values after (a version's reason is)."""
        return "reason" in (self.after or {})

    @property
    def target_model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.target_type)
        except (LookupError, ValueError):
            return None

    @property
    def target_kind(self) -> str:
        """The target's type in the active language ("indicator", "user"…)."""
        model = self.target_model
        return str(model._meta.verbose_name) if model else self.target_type
