from django.contrib import admin

from improvement.models import DepartmentMember, PairingOptions
from stations.scopeadmin import ScopedAdmin, readable_autocomplete


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(admin.ModelAdmin):
    """Who works in (and feeds the data of) a responsible department: they see its
    indicators' submissions and are reminded of its missing values."""

    list_display = ["department", "user"]
    list_filter = ["department"]
    search_fields = ["user__username", "user__first_name", "department"]
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        readable_autocomplete(field)
        return field


@admin.register(PairingOptions)
class PairingOptionsAdmin(ScopedAdmin, admin.ModelAdmin):
    """A company's branch-pairing options: whether partners are proposed within each
    county. The pairing page shows which applies. An administrator lists, adds and
    changes only their own companies' (``ScopedAdmin``)."""

    list_display = ["company", "within_county"]
    list_editable = ["within_county"]
