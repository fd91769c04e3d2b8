"""History is read only: the admin base for records nobody edits by hand (audit entries,
import batches, values, runs, scores). Every app's admin may use it."""

from django.contrib import admin


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
