"""The committee's improvement work on weak stations, tied to the monthly grades.

- ``Measure`` (提升举措): what a station does about its weak indicators, with a cause
  classification per indicator and check-ins over time.
- ``BranchPairing`` (支部联建) and ``DepartmentHelp`` (帮扶): accepted pairings, each
  recorded with the months it runs and the grades it was based on.
- ``SecretaryProject`` (书记项目): a station secretary takes on one weak indicator; its
  progress is read from the data (``improvement.engine.progress``), never typed in.
- ``Notification``: in-app (and e-mailed) notices, e.g. a station dropped a grade.

Months are stored as the first day of the month (``indicators.periods``).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.models import Indicator
from indicators.periods import add_months, format_period
from scoring.grades import Grade
from stations.models import Company, Station


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


#: A measure still being worked on; the others are closed.
OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
CLOSED_STATUSES = (MeasureStatus.DONE, MeasureStatus.DROPPED)


class Cause(models.TextChoices):
    """Why an indicator lags: the station's own doing or not (查找原因：所内责任与否)."""

    STATION = "station", _("the station's responsibility")
    EXTERNAL = "external", _("not the station's responsibility")
    UNKNOWN = "unknown", _("cause still being analysed")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("project status", "active")
    COMPLETED = "completed", _("completed")
    STOPPED = "stopped", _("stopped")


#: A project no longer worked on.
ENDED_PROJECT_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.STOPPED)


#: The grades a project's goal can name: better than yellow (落后), the lowest grade.
GOAL_GRADES = [
    (code, label) for code, label in Grade.choices if code not in (Grade.UNGRADED, Grade.YELLOW)
]


class Recorded(models.Model):
    """Who recorded a row and when."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True


class Measure(Recorded):
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="measures", verbose_name=_("station")
    )
    title = models.CharField(_("what will be done"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    owner = models.CharField(_("owner"), max_length=100)
    due_month = models.DateField(_("due month"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    based_on = models.DateField(
        _("based on the grades of"), help_text=_("The month whose grades prompted it.")
    )
    indicators = models.ManyToManyField(
        Indicator, through="MeasureIndicator", related_name="+", verbose_name=_("indicators")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    #: The linked indicators' codes, set on the measures ``improvement.selectors.work`` reads.
    indicator_codes: list[str]

    class Meta:
        verbose_name = _("improvement measure")
        verbose_name_plural = _("improvement measures")
        ordering = ["station", "due_month", "pk"]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return f"{self.station}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MeasureIndicator(models.Model):
    """An indicator a measure works on, with why it lags."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="links", verbose_name=_("measure")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    cause = models.CharField(
        _("cause"), max_length=10, choices=Cause.choices, default=Cause.UNKNOWN
    )
    cause_note = models.CharField(_("about the cause"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator of a measure")
        verbose_name_plural = _("indicators of measures")
        ordering = ["measure", "indicator__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "indicator"], name="measure_indicator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.title} · {self.indicator}"


class SecretaryProject(Recorded):
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="secretary_projects",
        verbose_name=_("station"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="secretary_projects",
        verbose_name=_("secretary"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("plan"))
    start_month = models.DateField(
        _("first month"), help_text=_("The first month whose data counts for the project.")
    )
    goal_grade = models.CharField(_("goal: at least"), max_length=10, choices=GOAL_GRADES)
    goal_month = models.DateField(_("goal: by the month"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("secretary project")
        verbose_name_plural = _("secretary projects")
        ordering = ["station", "-start_month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_month__gte=models.F("start_month")),
                name="project_goal_after_start",
            ),
            models.UniqueConstraint(
                fields=["station", "indicator"],
                condition=Q(status="active"),
                name="one_active_project_per_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station}: {self.title}"


class Milestone(models.Model):
    project = models.ForeignKey(
        SecretaryProject,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("project"),
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_month = models.DateField(_("due month"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due_month", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({format_period(self.due_month)})"


class CheckIn(Recorded):
    """A dated note on a measure or a project (exactly one), optionally changing its status."""

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("measure"),
    )
    project = models.ForeignKey(
        SecretaryProject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("project"),
    )
    note = models.TextField(_("note"))
    new_status = models.CharField(_("status set to"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False, project__isnull=True)
                | Q(measure__isnull=True, project__isnull=False),
                name="check_in_on_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return self.note[:60]

    @property
    def status_label(self) -> str:
        """The translated name of the status it set."""
        statuses = MeasureStatus if self.measure_id else ProjectStatus
        return str(dict(statuses.choices).get(self.new_status, self.new_status))


class PartnershipQuerySet(models.QuerySet):
    """The months a pairing or help runs, as the pages ask for them."""

    def not_ended(self, period: date) -> PartnershipQuerySet:
        """Not ended by the month (those starting later included): what can still be
        ended early."""
        return self.filter(end_month__gte=period)

    def current(self, period: date) -> PartnershipQuerySet:
        """In force in the month, or accepted at its review (starting the month after):
        what was being done as of the month."""
        return self.not_ended(period).filter(start_month__lte=add_months(period, 1))

    def overlapping(self, first: date, last: date) -> PartnershipQuerySet:
        """Running in at least one month from ``first`` to ``last``."""
        return self.filter(start_month__lte=last, end_month__gte=first)


class Partnership(Recorded):
    """An accepted pairing: it runs from ``start_month`` to ``end_month`` (both included)
    and was chosen from the grades of ``based_on``."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    based_on = models.DateField(_("based on the grades of"))
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("end month"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def span_text(self) -> str:
        return f"{format_period(self.start_month)} – {format_period(self.end_month)}"

    def earliest_end(self, latest_published: date | None) -> date:
        """The earliest last month it can be given: a published month keeps the pairing
        it had (its first month, if that is later)."""
        if latest_published is None:
            return self.start_month
        return max(self.start_month, latest_published)

    def end_proposed(self, period: date, latest_published: date | None) -> date:
        """The month an end-early form offers when viewing ``period``: that month, kept
        from the earliest end to the current last month."""
        return min(max(period, self.earliest_end(latest_published)), self.end_month)


class Partner(NamedTuple):
    """A pairing's other station, its grade at acceptance, and whether the station it is
    seen from is the weak one (helped) rather than the strong one (helping)."""

    station: Station
    grade: str
    helped: bool


class BranchPairing(Partnership):
    """支部联建: a weak station's branch with a strong station's (yellow–red, green–orange)."""

    weak_station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="pairings_as_weak",
        verbose_name=_("weak station"),
    )
    strong_station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="pairings_as_strong",
        verbose_name=_("partner station"),
    )
    weak_grade = models.CharField(_("weak station's grade"), max_length=10, choices=Grade.choices)
    strong_grade = models.CharField(_("partner's grade"), max_length=10, choices=Grade.choices)
    benefit = models.FloatField(_("benefit"))
    as_proposed = models.BooleanField(
        _("as proposed"), help_text=_("Off: the committee chose this partner itself.")
    )
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        help_text=_("Indicators where the partner is strong and the station weak."),
    )

    class Meta:
        verbose_name = _("branch pairing")
        verbose_name_plural = _("branch pairings")
        ordering = ["-start_month", "weak_station"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__gte=models.F("start_month")), name="pairing_span"
            ),
            models.CheckConstraint(
                condition=~Q(weak_station=models.F("strong_station")), name="pairing_two_stations"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weak_station} – {self.strong_station} ({self.span_text})"

    def partner_of(self, station_id: int) -> Partner:
        """The other station of the pair seen from ``station_id``."""
        if station_id == self.weak_station_id:
            return Partner(self.strong_station, self.strong_grade, helped=True)
        return Partner(self.weak_station, self.weak_grade, helped=False)


class DepartmentHelp(Partnership):
    """帮扶: the branch of the department responsible for an indicator helps a station
    graded yellow on it."""

    department = models.CharField(_("department"), max_length=100)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="department_help",
        verbose_name=_("station"),
    )

    class Meta:
        verbose_name = _("department help")
        verbose_name_plural = _("department help")
        ordering = ["-start_month", "department", "station"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__gte=models.F("start_month")), name="help_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.station}: {self.indicator} ({self.span_text})"

    @property
    def department_label(self) -> str:
        """The department in the reader's language: the indicator's translated name while
        it is still the department recorded (the record keeps the name at acceptance)."""
        if self.department == self.indicator.department:
            return self.indicator.department_label or self.department
        return self.department


class NotificationKind(models.TextChoices):
    GRADE_DROP = "grade_drop", _("a station dropped a grade")
    REGRADE = "regrade", _("a re-grade changed a station's colour")
    MISSING_DATA = "missing_data", _("an indicator's values are missing")
    OBJECTION_ANSWERED = "objection", _("an objection was answered")


class Notification(models.Model):
    """One notice to one user; the text is rendered in the reader's language from
    ``kind`` and ``data``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
        help_text=_("Empty for a reminder of missing data (about an indicator)."),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    period = models.DateField(_("month"))
    run = models.ForeignKey(
        "scoring.ScoreRun",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("score run"),
        help_text=_("The re-grade a re-grade notice tells of (a month can be re-graded twice)."),
    )
    data = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "station", "period"],
                condition=~models.Q(kind__in=["regrade", "missing_data", "objection"]),
                name="one_notice_per_event",
            ),
            models.UniqueConstraint(
                fields=["user", "indicator", "period"],
                condition=models.Q(kind="missing_data"),
                name="one_reminder_per_indicator_month",
            ),
            models.UniqueConstraint(
                fields=["user", "station", "run"],
                condition=models.Q(kind="regrade"),
                name="one_regrade_notice_per_run",
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.station} {format_period(self.period)} ({self.kind})"


class DepartmentMember(models.Model):
    """A user who works in (and feeds the data of) a responsible department: they see the
    submissions of that department's indicators and are reminded of missing values.
    ``department`` is the name an indicator records (``Indicator.department``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("user"),
    )
    department = models.CharField(_("department"), max_length=100)

    class Meta:
        verbose_name = _("department member")
        verbose_name_plural = _("department members")
        ordering = ["department", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="one_membership_per_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class PairingOptions(models.Model):
    """A company's branch-pairing options (none stored: the defaults). Pairs never cross
    companies: each company's proposal is of its own stations."""

    company = models.OneToOneField(
        Company,
        on_delete=models.CASCADE,
        related_name="pairing_options",
        verbose_name=_("company"),
    )
    within_county = models.BooleanField(
        _("pair within each county"),
        default=False,
        help_text=_(
            "Propose partners from the station's own county only; a station whose county "
            "has none of the partner grade gets none."
        ),
    )

    class Meta:
        verbose_name = _("pairing options")
        verbose_name_plural = _("pairing options")
        ordering = ["company"]

    def __str__(self) -> str:
        return str(self.company)
