"""How stations are judged (weight versions) and what each computation produced (runs, scores).

A month is never rewritten in place: each recompute is a ``ScoreRun`` with its
own ``StationScore`` rows, the weight version and the method parameters it used.
Exactly one finished run per company and month is *current* (the one shown);
earlier runs stay as history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.grades import Grade
from stations.models import Company, County, OrgUnit, Station


class Version(models.Model):
    """A version of how a company's months are judged, effective from a month onwards
    until a later version's month; never edited once saved.

    Owned by a company (its own) or by an organisation unit above companies (a common
    version that the companies below inherit unless they use their own,
    ``MethodOverride``); which one grades a company's month is
    ``scoring.methodsource.governing_version``."""

    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"), help_text=_("First day of the month."))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["company", "-version"]

    @property
    def owner(self) -> Company | OrgUnit:
        """The company or the unit whose version this is."""
        return self.company if self.company_id else self.unit  # type: ignore[attr-defined]

    @property
    def number(self) -> str:
        """The version number as the pages show it after "v": a unit's common version
        with its unit's name ("3 (浙江省)")."""
        if self.unit_id:  # type: ignore[attr-defined]
            return f"{self.version} ({self.unit})"  # type: ignore[attr-defined]
        return str(self.version)

    @property
    def author(self) -> str:
        """Who saved it ("" when saved from the command line)."""
        user = self.created_by
        return (user.get_full_name() or user.get_username()) if user else ""


class WeightSet(Version):
    """A version of the indicator weights, effective from a month onwards."""

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="weight_sets",
        verbose_name=_("company"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="weight_sets",
        verbose_name=_("organisation unit"),
        help_text=_("A common version of a unit, inherited by the companies below it."),
    )

    class Meta(Version.Meta):
        verbose_name = _("weight version")
        verbose_name_plural = _("weight versions")
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="weightset_unique_version"),
            models.UniqueConstraint(
                fields=["unit", "version"], name="weightset_unique_unit_version"
            ),
            models.CheckConstraint(
                condition=models.Q(company__isnull=False, unit__isnull=True)
                | models.Q(company__isnull=True, unit__isnull=False),
                name="weightset_company_or_unit",
            ),
        ]

    def __str__(self) -> str:
        if self.unit_id:
            return _("%(unit)s's common v%(version)s from %(period)s") % {
                "unit": self.unit,
                "version": self.version,
                "period": format_period(self.effective_from),
            }
        return _("v%(version)s from %(period)s") % {
            "version": self.version,
            "period": format_period(self.effective_from),
        }


class Weight(models.Model):
    weight_set = models.ForeignKey(
        WeightSet, on_delete=models.CASCADE, related_name="weights", verbose_name=_("weight set")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        constraints = [
            models.UniqueConstraint(
                fields=["weight_set", "indicator"], name="weight_unique_indicator"
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.weight}"


class MethodVersion(Version):
    """A version of how the company's months are scored, effective from a month onwards.

    ``params`` is a ``scoring.engine.ScoringMethod`` record (normalisation, missing-data
    policies, grading, peer groups, caps). Months before ``effective_from`` keep the
    method they were scored with. Every company has one from its creation (version 1,
    absolute scoring against the seeded targets; ``scoring.services.create_initial_method``);
    a company without any (made outside the services) is scored by the default method.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="method_versions",
        verbose_name=_("company"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="method_versions",
        verbose_name=_("organisation unit"),
        help_text=_("A common version of a unit, inherited by the companies below it."),
    )
    params = models.JSONField(_("method parameters"))

    class Meta(Version.Meta):
        verbose_name = _("scoring method version")
        verbose_name_plural = _("scoring method versions")
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="method_unique_version"),
            models.UniqueConstraint(fields=["unit", "version"], name="method_unique_unit_version"),
            models.CheckConstraint(
                condition=models.Q(company__isnull=False, unit__isnull=True)
                | models.Q(company__isnull=True, unit__isnull=False),
                name="method_company_or_unit",
            ),
        ]

    def __str__(self) -> str:
        if self.unit_id:
            return _("%(unit)s's common method v%(version)s from %(period)s") % {
                "unit": self.unit,
                "version": self.version,
                "period": format_period(self.effective_from),
            }
        return _("method v%(version)s from %(period)s") % {
            "version": self.version,
            "period": format_period(self.effective_from),
        }


class MethodOverride(models.Model):
    """A company that grades with its own weights and grading rules although a unit above
    it publishes common ones. Without this row a company inherits: the nearest unit's
    version in force for a month grades it, and its own versions only count in months
    no unit's version reaches (``scoring.methodsource``). Set and cleared by
    ``scoring.services.set_own_method`` (audited)."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="method_override", verbose_name=_("company")
    )
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("own method (not inherited)")
        verbose_name_plural = _("own methods (not inherited)")

    def __str__(self) -> str:
        return str(self.company)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class RunTrigger(models.TextChoices):
    IMPORT = "import", _("data import")
    WEIGHTS = "weights", _("weight change")
    METHOD = "method", _("method change")
    MANUAL = "manual", _("manual recompute")
    DEMO = "demo", _("demo load")
    UNIT = "unit", _("common method of a unit")


class ScoreRun(models.Model):
    """One computation of one company-month: a request first, then its record."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="score_runs", verbose_name=_("company")
    )
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("worker last seen at"),
        null=True,
        blank=True,
        help_text=_(
            "Renewed by the worker while it computes; a running run not renewed for a "
            "minute has lost its worker and is sent again."
        ),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    compute_ms = models.PositiveIntegerField(_("compute time (ms)"), null=True, blank=True)
    total_ms = models.PositiveIntegerField(_("total time (ms)"), null=True, blank=True)
    weight_set = models.ForeignKey(
        WeightSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("weight version"),
    )
    method_version = models.ForeignKey(
        MethodVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("method version"),
        help_text=_(
            "Empty: a run stored before its company had method versions; its parameters "
            "say how it was scored."
        ),
    )
    method = models.CharField(_("method"), max_length=40, blank=True)
    method_params = models.JSONField(_("method parameters"), default=dict, blank=True)
    input_fingerprint = models.CharField(_("input fingerprint"), max_length=64, blank=True)
    station_count = models.PositiveIntegerField(_("stations"), null=True, blank=True)
    graded_count = models.PositiveIntegerField(_("graded stations"), null=True, blank=True)
    unchanged = models.BooleanField(
        _("unchanged"),
        default=False,
        help_text=_("The inputs matched the current run, so no new scores were written."),
    )
    is_current = models.BooleanField(_("current"), default=False)
    publish = models.BooleanField(
        _("publish when done"),
        default=True,
        help_text=_(
            "Off for a re-grade asked by a weight or rule change of a month already "
            "published: its result waits beside the published one until an "
            "administrator publishes it."
        ),
    )
    regraded_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-grade of"),
        help_text=_(
            "The published run this one replaced when it was computed under other weight "
            "or method versions (a re-grade); empty for new data or a first publication."
        ),
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("When it became the month's published grades."),
    )
    summary = models.JSONField(
        _("company medians"),
        default=dict,
        blank=True,
        help_text=_(
            "Median score and median of each indicator for the month, and each "
            "indicator's grade thresholds."
        ),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period"],
                condition=models.Q(is_current=True),
                name="one_current_run_per_month",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["company", "period", "is_current"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.company} {format_period(self.period)} #{self.pk} ({self.get_status_display()})"
        )

    def status_line(self) -> str:
        """One line for the commands: month, state, counts, time, error."""
        state = self.get_status_display()
        if self.status == RunStatus.DONE:
            state = _("%(state)s (%(graded)d of %(stations)d graded, %(ms)d ms%(same)s)") % {
                "state": state,
                "graded": self.graded_count or 0,
                "stations": self.station_count or 0,
                "ms": self.total_ms or 0,
                "same": _(", inputs unchanged") if self.unchanged else "",
            }
        line = f"{format_period(self.period)}: {state}"
        return f"{line} — {self.error}" if self.error else line

    @property
    def period_text(self) -> str:
        return format_period(self.period)

    def same_versions(self, other: ScoreRun) -> bool:
        """Whether both runs were graded under the same weight and method versions."""
        return (self.weight_set_id, self.method_version_id) == (
            other.weight_set_id,
            other.method_version_id,
        )


class UsedPreview(models.Model):
    """A version form's preview that has been saved. A second "save" of the same preview
    (a double click) finds its token here and saves nothing. Kept in the database, in the
    transaction that saves the version, so a lost or slow cache can neither lose a
    version nor save it twice."""

    token = models.CharField(_("preview token"), max_length=32, unique=True)
    used_at = models.DateTimeField(_("saved at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("saved preview")
        verbose_name_plural = _("saved previews")

    def __str__(self) -> str:
        return self.token


class StationScore(models.Model):
    """A station's result in one run; the run records the weight version and method used."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="scores", verbose_name=_("run")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="scores", verbose_name=_("station")
    )
    period = models.DateField(_("period"))
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    coverage = models.FloatField(_("coverage"))
    ungraded_reason = models.CharField(_("reason ungraded"), max_length=20, blank=True)
    normalised = models.JSONField(_("normalised scores"), default=dict)
    flags = models.JSONField(
        _("method notes"),
        default=dict,
        blank=True,
        help_text=_(
            "What the method did beyond the plain rules: indicators carried forward "
            "(months back), the cap that limited the grade, the peer group graded in."
        ),
    )

    class Meta:
        verbose_name = _("station score")
        verbose_name_plural = _("station scores")
        ordering = ["run", "rank", "station"]
        constraints = [
            models.UniqueConstraint(fields=["run", "station"], name="one_score_per_station_run"),
        ]
        indexes = [models.Index(fields=["station", "period"])]

    def __str__(self) -> str:
        score = "–" if self.score is None else f"{self.score:.2f}"
        return f"{self.station} {format_period(self.period)}: {score} ({self.get_grade_display()})"


class RunGradeCount(models.Model):
    """How many of a run's stations got one grade: in the whole company (no county) and
    in each county (the station's county when the run was computed).

    Written once, with the run's scores (``scoring.services.gradecounts``), which never
    change afterwards, so the counts never go stale: a page counts a month's grades by
    reading a few of these rows instead of the month's scores
    (``scoring.selectors.run_grade_counts``)."""

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="grade_counts", verbose_name=_("run")
    )
    county = models.ForeignKey(
        County,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    stations = models.PositiveIntegerField(_("stations"))

    class Meta:
        verbose_name = _("grade count of a run")
        verbose_name_plural = _("grade counts of runs")
        # One row per run, county (or none) and grade: written only by
        # ``record_grade_counts``, which replaces a run's rows.
        indexes = [models.Index(fields=["run", "county"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.county_id or '*'} {self.grade}: {self.stations}"


class SensitivityRun(models.Model):
    """A Monte Carlo weight-sensitivity run of one published month (a score run).

    ``results`` maps each graded station id to its share of draws per grade (only the
    grades it got) and its rank interval; ``params`` records every parameter of the run.
    A station is *uncertain* when the share of its published grade is below
    ``certain_share``.
    """

    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="sensitivity_runs", verbose_name=_("run")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    params = models.JSONField(_("parameters"))
    certain_share = models.FloatField(_("share of draws for a certain colour"), default=0.8)
    uncertain_count = models.PositiveIntegerField(_("stations with an uncertain colour"))
    compute_ms = models.PositiveIntegerField(_("compute time (ms)"))
    results = models.JSONField(_("results"))

    class Meta:
        verbose_name = _("weight sensitivity run")
        verbose_name_plural = _("weight sensitivity runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.run} ±{self.params.get('spread', 0):.0%} × {self.params.get('draws')}"


class MonthRules(models.Model):
    """A company's calendar for data and for closing months, set by an administrator.

    ``due_day``: indicator values of a month are due by this day of the following month
    (late after it). ``hold_new_months``: a month's first published grades are
    *provisional* (a ``MonthClose`` is opened) until an administrator closes the month;
    off (the default, and today's behaviour) publishes months as final at once.
    """

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="month_rules", verbose_name=_("company")
    )
    due_day = models.PositiveSmallIntegerField(
        _("data due by day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("A month's values are due by this day of the following month (1–28)."),
    )
    review_days = models.PositiveSmallIntegerField(
        _("review window (days)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text=_("How long stations may raise objections to a provisional month."),
    )
    hold_new_months = models.BooleanField(
        _("hold new months for review"),
        default=False,
        help_text=_(
            "On: a month's first grades are provisional until an administrator closes "
            "the month. Off: they are final when published."
        ),
    )

    class Meta:
        verbose_name = _("month rules")
        verbose_name_plural = _("month rules")

    def __str__(self) -> str:
        return str(self.company)


class CloseState(models.TextChoices):
    PROVISIONAL = "provisional", _("provisional")
    CLOSED = "closed", _("closed")


class MonthClose(models.Model):
    """Whether a company-month's published grades are provisional or final (closed).

    A month without one is final (months published before month close existed, and
    companies that do not hold new months). Closing never rewrites grades: it makes the
    month's published run final; data arriving afterwards waits as a re-grade."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="month_closes", verbose_name=_("company")
    )
    period = models.DateField(_("month"))
    state = models.CharField(
        _("state"), max_length=12, choices=CloseState.choices, default=CloseState.PROVISIONAL
    )
    review_until = models.DateField(
        _("objections until"), null=True, blank=True, help_text=_("Last day of the review.")
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["company", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["company", "period"], name="one_close_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.company} {format_period(self.period)} ({self.get_state_display()})"

    @property
    def provisional(self) -> bool:
        return self.state == CloseState.PROVISIONAL

    @property
    def period_text(self) -> str:
        return format_period(self.period)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class Objection(models.Model):
    """A station's objection to its provisional grade, with the administrator's answer."""

    month = models.ForeignKey(
        MonthClose, on_delete=models.PROTECT, related_name="objections", verbose_name=_("month")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="objections", verbose_name=_("station")
    )
    grade = models.CharField(_("provisional grade"), max_length=10, choices=Grade.choices)
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    reply = models.TextField(_("reply"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["month", "-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "station"],
                condition=models.Q(status="open"),
                name="one_open_objection_per_station_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.month.period_text}: {self.get_status_display()}"
