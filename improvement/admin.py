from django.contrib import admin

from improvement.models import DepartmentMember


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(admin.ModelAdmin):
    """Who works in (and feeds the data of) a responsible department: they see its
    indicators' submissions and are reminded of its missing values."""

    list_display = ["department", "user"]
    list_filter = ["department"]
    search_fields = ["user__username", "user__first_name", "department"]
    autocomplete_fields = ["user"]
