from django.contrib import admin

from scoring.services import create_initial_weights
from stations.models import Company, County, Station, StationMember


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        """A company added here starts with weight version 1, like one made by import."""
        super().save_model(request, obj, form, change)
        if not change:
            create_initial_weights(obj)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "company"]
    list_filter = ["company"]
    search_fields = ["name"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county", "staff_count", "active"]
    list_filter = ["active", "county__company", "county"]
    search_fields = ["code", "name"]
    list_select_related = ["county"]


@admin.register(StationMember)
class StationMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "station", "is_secretary"]
    list_select_related = ["user", "station"]
    search_fields = ["user__username", "station__name", "station__code"]
    autocomplete_fields = ["station"]
