from django.contrib import admin

from audit.readonly import ReadOnlyModelAdmin
from indicators.admin import period_column
from scoring.models import (
    MethodVersion,
    MonthClose,
    Objection,
    ScoreRun,
    SensitivityRun,
    StationScore,
    Weight,
    WeightSet,
)
from stations.scopeadmin import ScopedAdmin


class WeightInline(admin.TabularInline):
    model = Weight
    extra = 0
    can_delete = False
    readonly_fields = ["indicator", "weight"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WeightSet)
class WeightSetAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Weight versions are history: created with set_weights, never edited or deleted."""

    scope_path = "company"

    list_display = ["company", "version", "effective_from", "created_by", "created_at", "reason"]
    list_filter = ["company"]
    inlines = [WeightInline]

    def has_delete_permission(self, request, obj=None):
        """A version no run has used (a typo) may go; one that scored a month is history."""
        return obj is None or not obj.runs.exists()


@admin.register(MethodVersion)
class MethodVersionAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Method versions are history: created with set_method, never edited."""

    scope_path = "company"

    list_display = ["company", "version", "effective_from", "created_by", "created_at", "reason"]
    list_filter = ["company"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.runs.exists()


@admin.register(ScoreRun)
class ScoreRunAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Every recompute with its state, timings and counts, for the admin to follow."""

    scope_path = "company"

    list_display = [
        "id",
        "company",
        period_column,
        "status",
        "trigger",
        "is_current",
        "method",
        "unchanged",
        "graded_count",
        "station_count",
        "total_ms",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "trigger", "is_current", "company"]
    date_hierarchy = "period"


@admin.register(StationScore)
class StationScoreAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    scope_path = "run__company"
    list_display = ["station", period_column, "score", "rank", "grade", "coverage", "run"]
    list_filter = ["grade", "run__is_current", "period"]
    search_fields = ["station__code", "station__name"]
    list_select_related = ["station", "run"]


@admin.register(SensitivityRun)
class SensitivityRunAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Weight-sensitivity runs with every parameter; created with the sensitivity command."""

    scope_path = "run__company"

    list_display = ["run", "created_at", "uncertain_count", "certain_share", "compute_ms"]
    list_select_related = ["run__company"]


@admin.register(MonthClose)
class MonthCloseAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Opened, answered and closed on the month-close pages (audited), never by hand here."""

    scope_path = "company"

    list_display = ["company", "period", "state", "review_until", "closed_at", "closed_by"]
    list_filter = ["company", "state"]


@admin.register(Objection)
class ObjectionAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    scope_path = "month__company"
    list_display = ["month", "station", "grade", "status", "raised_by", "raised_at"]
    list_filter = ["status"]
    search_fields = ["station__name", "station__code", "reason"]
