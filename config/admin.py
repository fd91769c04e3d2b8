"""Admin building blocks shared by the apps."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from indicators.periods import format_period


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that are history (import batches, values, runs, scores): view only,
    never changed or deleted by hand."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("month"), ordering="period")
def period_column(obj) -> str:
    return format_period(obj.period)
