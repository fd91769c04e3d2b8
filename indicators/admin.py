from django.contrib import admin

from indicators.models import ImportBatch, Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "direction",
        "unit",
        "min_value",
        "max_value",
        "active",
    ]
    list_editable = ["active"]
    ordering = ["display_order"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Batches are the record of who loaded what: read-only."""

    list_display = ["file_name", "company", "source", "created_by", "created_at", "value_count"]
    list_filter = ["source", "company"]
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["station", "period", "indicator", "value", "batch"]
    list_filter = ["indicator", "period"]
    search_fields = ["station__code", "station__name"]
    list_select_related = ["station", "indicator", "batch"]
    raw_id_fields = ["station", "batch"]
    date_hierarchy = "period"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
