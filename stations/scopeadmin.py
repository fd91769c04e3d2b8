"""The Django admin within a user's scope (``stations.scope``), said once for every app.

A ``ModelAdmin`` that mixes in ``ScopedAdmin`` and names ``scope_path`` (the lookup from
its row to the company: "company", "county__company", "station__county__company" …)
lists, opens and changes only the rows of the companies the user may see — another
company's row is not found — offers only those companies (their counties and stations)
in its choice fields, and refuses to save a row into another company. Superusers see
everything.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from stations.models import Company, County, Station
from stations.scope import in_scope, scoped, user_scope

#: The lookup from a choice field's rows to their company, by model.
_CHOICES = {Company: "pk", County: "company", Station: "county__company"}
#: List filters on these relations offer only the values of the rows the user sees.
_RELATED_FILTERS = ("company", "county", "station", "token", "run", "month")


def company_id_of(obj, path: str) -> int | None:
    """The company of ``obj`` along a ``scope_path`` ("pk" for a company itself)."""
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class ScopedAdmin:
    #: The lookup from the admin's row to its company.
    scope_path = "company"

    def get_queryset(self, request):
        rows = super().get_queryset(request)  # type: ignore[misc]
        return scoped(rows, request.user, self.scope_path)

    def get_list_filter(self, request):
        """A filter on a company (county, station …) lists only those of the user's rows,
        never the names of another company's."""
        found = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str) and entry.split("__")[-1] in _RELATED_FILTERS:
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            found.append(entry)
        return found

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        path = _CHOICES.get(db_field.related_model)
        if field is not None and path is not None:
            field.queryset = scoped(field.queryset, request.user, path)
        return field

    def has_add_permission(self, request, *args) -> bool:
        if self.scope_path == "pk" and user_scope(request.user).company_ids is not None:
            return False  # a new company is the superusers'
        return super().has_add_permission(request, *args)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        if not in_scope(request.user, company_id_of(obj, self.scope_path)):
            raise PermissionDenied(_("You may only change the records of your own company."))
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def delete_model(self, request, obj):
        if not in_scope(request.user, company_id_of(obj, self.scope_path)):
            raise PermissionDenied(_("You may only change the records of your own company."))
        super().delete_model(request, obj)  # type: ignore[misc]
