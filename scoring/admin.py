from django.contrib import admin

from scoring.models import ScoreRun, StationScore, Weight, WeightSet


class WeightInline(admin.TabularInline):
    model = Weight
    extra = 0
    can_delete = False
    readonly_fields = ["indicator", "weight"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WeightSet)
class WeightSetAdmin(admin.ModelAdmin):
    """Weight versions are history: created with set_weights, never edited."""

    list_display = ["company", "version", "effective_from", "created_by", "created_at", "reason"]
    list_filter = ["company"]
    inlines = [WeightInline]
    readonly_fields = ["company", "version", "effective_from", "reason", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin):
    """Every recompute with its state, timings and counts, for the admin to follow."""

    list_display = [
        "id",
        "company",
        "period",
        "status",
        "trigger",
        "is_current",
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
    readonly_fields = [field.name for field in ScoreRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StationScore)
class StationScoreAdmin(admin.ModelAdmin):
    list_display = ["station", "period", "score", "rank", "grade", "coverage", "run"]
    list_filter = ["grade", "run__is_current", "period"]
    search_fields = ["station__code", "station__name"]
    list_select_related = ["station", "run"]
    readonly_fields = [field.name for field in StationScore._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
