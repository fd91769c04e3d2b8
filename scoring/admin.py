from django.contrib import admin

from audit.readonly import ReadOnlyModelAdmin
from indicators.admin import period_column
from scoring.models import (
    MethodOverride,
    MethodVersion,
    MonthClose,
    Objection,
    ScoreRun,
    SensitivityRun,
    StationScore,
    Weight,
    WeightSet,
)
from scoring.services import set_own_method
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

    list_display = ["owner", "version", "effective_from", "created_by", "created_at", "reason"]
    list_filter = ["company", "unit"]
    inlines = [WeightInline]

    def has_delete_permission(self, request, obj=None):
        """A version no run has used (a typo) may go; one that scored a month is history."""
        return obj is None or not obj.runs.exists()


@admin.register(MethodVersion)
class MethodVersionAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Method versions are history: created with set_method, never edited."""

    scope_path = "company"

    list_display = ["owner", "version", "effective_from", "created_by", "created_at", "reason"]
    list_filter = ["company", "unit"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.runs.exists()


@admin.register(MethodOverride)
class MethodOverrideAdmin(admin.ModelAdmin):
    """Companies that use their own weights and grading rules instead of their units'
    common ones. Adding one (or deleting it: the company inherits again) goes through
    ``set_own_method``, which re-grades the months that change and audits the choice."""

    list_display = ["company", "set_by", "set_at", "reason"]
    fields = ["company", "reason", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def save_model(self, request, obj, form, change):
        if change:
            return
        set_own_method(company=obj.company, own=True, reason=obj.reason, user=request.user)
        obj.pk = MethodOverride.objects.get(company=obj.company).pk

    def delete_model(self, request, obj):
        set_own_method(company=obj.company, own=False, user=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset.select_related("company"):
            self.delete_model(request, override)


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
