from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.readonly import ReadOnlyModelAdmin
from indicators.models import ImportBatch, Indicator, IndicatorValue
from indicators.periods import format_period
from stations.scopeadmin import ScopedAdmin


@admin.display(description=_("month"), ordering="period")
def period_column(obj) -> str:
    """The month column of every admin list of monthly rows (scoring's too)."""
    return format_period(obj.period)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "direction",
        "unit",
        "unit_en",
        "min_value",
        "max_value",
        "department",
        "active_from",
        "retired_from",
        "active",
    ]
    # Code, direction and the months in force change how months are scored; they are
    # changed on the indicators page (/manage/indicators/), not edited here.
    readonly_fields = [
        "code",
        "direction",
        "active",
        "active_from",
        "retired_from",
        "retirement_reason",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    ordering = ["display_order"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    """Batches are the record of who loaded what: read-only."""

    scope_path = "company"

    list_display = [
        "file_name", "company", "source", "status", "created_by", "created_at", "value_count"
    ]  # fmt: skip
    list_filter = ["status", "source", "company"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ScopedAdmin, ReadOnlyModelAdmin):
    scope_path = "station__county__company"
    list_display = ["station", period_column, "indicator", "value", "batch"]
    list_filter = ["indicator", "period"]
    search_fields = ["station__code", "station__name"]
    list_select_related = ["station", "indicator", "batch"]
    raw_id_fields = ["station", "batch"]
    date_hierarchy = "period"
