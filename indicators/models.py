"""What is measured: the indicators (as data) and each month's values with their import batch."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicators.periods import in_span
from stations.models import Company, Station


def _is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("en")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("higher is better")
    LOWER_IS_BETTER = "lower", _("lower is better")


class IndicatorQuerySet(models.QuerySet):
    def in_force(self, period: date) -> IndicatorQuerySet:
        """The indicators that count in the month (see ``Indicator.in_force``)."""
        return self.filter(
            models.Q(active_from__isnull=True) | models.Q(active_from__lte=period),
            models.Q(retired_from__isnull=True) | models.Q(retired_from__gt=period),
        )


class Indicator(models.Model):
    """One measured indicator.

    It counts in a month when it is *in force* that month: from ``active_from`` (None:
    from the start) up to, not including, ``retired_from`` (None: never retired). Only
    then is it scored, imported and listed on the month's pages.

    ``active`` is True exactly when no retirement month is set (a constraint holds it;
    the retirement service sets both): it marks the indicators still in use, the ones a
    weight file must list and a new company is weighted on, and stays True for an
    indicator that starts in a later month so that a weight version can give it a
    weight. Whether an indicator counts in a given month is ``in_force(period)``,
    never ``active``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_en = models.CharField(_("unit in English"), max_length=20, blank=True)
    min_value = models.FloatField(_("lowest valid value"))
    max_value = models.FloatField(_("highest valid value"))
    department = models.CharField(_("responsible department"), max_length=100, blank=True)
    department_en = models.CharField(
        _("responsible department in English"), max_length=100, blank=True
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    active_from = models.DateField(
        _("in force from"),
        null=True,
        blank=True,
        help_text=_("First month it counts (first day of the month; empty: always)."),
    )
    retired_from = models.DateField(
        _("retired from"),
        null=True,
        blank=True,
        help_text=_("First month it no longer counts (first day of the month; empty: never)."),
    )
    retirement_reason = models.TextField(_("reason for retiring"), blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__lt=models.F("max_value")),
                name="indicator_valid_range",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, retired_from__isnull=True)
                | models.Q(active=False, retired_from__isnull=False),
                name="indicator_active_unless_retired",
            ),
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(retired_from__isnull=True)
                | models.Q(retired_from__gt=models.F("active_from")),
                name="indicator_retired_after_start",
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
    def department_label(self) -> str:
        """The responsible department in the active language (the Chinese one when no
        English one is set)."""
        if _is_english() and self.department_en:
            return self.department_en
        return self.department

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER_IS_BETTER

    def in_force(self, period: date) -> bool:
        """Whether the indicator counts in the month: ``active_from <= period < retired_from``."""
        return in_span(period, self.active_from, self.retired_from)


class ImportSource(models.TextChoices):
    COMMAND_LINE = "cli", _("command line")
    WEB = "web", _("web upload")
    DEMO = "demo", _("demo data")
    API = "api", _("API (feeding system)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    VALIDATING = "validating", _("checking the file")
    IMPORTING = "importing", _("writing the values")
    DONE = "done", _("loaded")
    FAILED = "failed", _("not loaded")


#: The states of a job still to finish (a worker may hold it, or it waits for one).
UNFINISHED = (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)


class ImportBatch(models.Model):
    """One file of indicator values: who loaded it, when, from where, and how it went.
    Every value points to its batch.

    A command-line import is checked and written at once and its batch is created
    loaded (``done``). A web upload is a job: the file is stored, the batch created
    ``queued`` and a worker checks and writes it (``indicators.jobs``); it ends ``done``
    or ``failed`` with its defects, and the stored file is deleted. The company is known
    once the file has been read.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("company"),
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
    feeding_system = models.CharField(
        _("feeding system"),
        max_length=100,
        blank=True,
        help_text=_("The system that sent the batch through the API (its token's name)."),
    )
    row_count = models.PositiveIntegerField(_("rows read"), default=0)
    value_count = models.PositiveIntegerField(_("values written"), default=0)
    periods = models.JSONField(_("periods"), default=list)
    status = models.CharField(
        _("state"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.DONE
    )
    upload = models.FileField(
        _("stored upload"),
        upload_to="imports/%Y/%m/",
        blank=True,
        help_text=_("Kept only until the job finishes; never served."),
    )
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    defects = models.JSONField(_("problems found"), default=list, blank=True)
    defect_count = models.PositiveIntegerField(_("number of problems"), default=0)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    enqueued_at = models.DateTimeField(_("sent to a worker at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("worker last seen at"),
        null=True,
        blank=True,
        help_text=_(
            "Renewed by the worker while it holds the job; a job not renewed for a minute "
            "has lost its worker and is sent again."
        ),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rolled back by"),
    )
    rollback_reason = models.TextField(_("why it was rolled back"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("rollback_importbatch", _("Can roll back a loaded import"))]

    def __str__(self) -> str:
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    @property
    def loaded_by_label(self) -> str:
        """Who loaded it, as the pages show it: the user, the feeding system (API), or
        the command line."""
        if self.created_by is not None:
            return self.created_by.get_full_name() or self.created_by.get_username()
        if self.feeding_system:
            return self.feeding_system
        return str(_("command line"))

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def is_rolled_back(self) -> bool:
        return self.rolled_back_at is not None

    @property
    def duration(self):
        """From the upload until the job finished (None while it runs)."""
        if self.finished_at is None:
            return None
        return self.finished_at - self.created_at


class IndicatorValue(models.Model):
    """The raw value of one indicator for one station in one month."""

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,  # the unique constraint (station, period, indicator) serves it
        verbose_name=_("station"),
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


class ValueHistory(models.Model):
    """A raw value an import replaced: the value, the batch that had written it and the
    batch that replaced it. Rolling the later batch back puts the value back (and drops
    this row); while the row exists, the earlier batch can no longer be rolled back."""

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the unique constraint below serves the look-ups
        verbose_name=_("station"),
    )
    period = models.DateField(_("period"))
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("indicator"),
    )
    value = models.FloatField(_("value"))
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="replaced_values",
        verbose_name=_("written by"),
    )
    replaced_by = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="previous_values",
        db_index=False,
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("replaced indicator value")
        verbose_name_plural = _("replaced indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["replaced_by", "station", "period", "indicator"],
                name="one_replaced_value_per_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.period:%Y-%m} {self.indicator_id}={self.value}"
