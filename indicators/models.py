"""What is measured: the indicators (as data) and each month's values with their import batch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from stations.models import Company, Station


def _is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("en")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("higher is better")
    LOWER_IS_BETTER = "lower", _("lower is better")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_en = models.CharField(_("unit in English"), max_length=20, blank=True)
    min_value = models.FloatField(_("lowest valid value"))
    max_value = models.FloatField(_("highest valid value"))
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__lt=models.F("max_value")),
                name="indicator_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is chosen)."""
        return self.name_en if _is_english() else self.name_zh

    @property
    def unit_label(self) -> str:
        """The unit in the active language (the Chinese unit when no English one is set)."""
        if _is_english() and self.unit_en:
            return self.unit_en
        return self.unit

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER_IS_BETTER


class ImportSource(models.TextChoices):
    COMMAND_LINE = "cli", _("command line")
    WEB = "web", _("web upload")
    DEMO = "demo", _("demo data")


class ImportBatch(models.Model):
    """One accepted file: who loaded it, when, from where. Every value points to its batch."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("company")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    row_count = models.PositiveIntegerField(_("rows read"), default=0)
    value_count = models.PositiveIntegerField(_("values written"), default=0)
    periods = models.JSONField(_("periods"), default=list)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


class IndicatorValue(models.Model):
    """The raw value of one indicator for one station in one month."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="values", verbose_name=_("station")
    )
    period = models.DateField(_("period"), help_text=_("First day of the month."))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.FloatField(_("value"))
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="values", verbose_name=_("import batch")
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "period", "indicator"], name="one_value_per_station_month"
            ),
        ]
        indexes = [models.Index(fields=["period", "station"])]

    def __str__(self) -> str:
        return f"{self.station} {self.period:%Y-%m} {self.indicator.code}={self.value}"
