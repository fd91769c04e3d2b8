"""Machine credentials of the feeding systems, and the batches they sent.

A token belongs to one named feeding system, sends values for one company and only the
indicators it lists. Only a hash of its secret is stored (the secret is shown once, when
the token is made); a revoked token is kept, so its uses and batches stay explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import ImportBatch, Indicator
from stations.models import Company


class ApiToken(models.Model):
    name = models.CharField(
        _("feeding system"),
        max_length=100,
        help_text=_("The system that uses the token, e.g. the distribution IoT platform."),
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("company")
    )
    indicators = models.ManyToManyField(
        Indicator,
        related_name="api_tokens",
        blank=True,
        verbose_name=_("indicators it may send"),
    )
    #: The token's public part: how a presented token is found (never secret).
    prefix = models.CharField(_("token prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash (SHA-256)"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("uses"), default=0)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["company", "name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Submission(models.Model):
    """One batch a token sent, under its idempotency key: the same key again answers this
    batch's job instead of importing twice."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("token")
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64)
    batch = models.OneToOneField(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="api_submission",
        verbose_name=_("import batch"),
    )
    first_status = models.PositiveSmallIntegerField(_("first answer's HTTP status"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="one_submission_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.token.name}: {self.key}"
