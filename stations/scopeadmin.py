"""The Django admin within a user's scope (``stations.scope``), said once for every app.

A ``ModelAdmin`` that mixes in ``ScopedAdmin`` and names ``scope_path`` (the lookup from
its row to the company: "company", "county__company", "station__county__company" …)
lists, opens and changes only the rows of the companies the user may see — another
company's row is not found — offers only those companies (their counties and stations)
in its choice fields, and refuses to save a row into another company. Superusers see
everything.

The tree itself is managed the same way, by the part of it the user's place covers
(``stations.subtree``): units at and below their unit (their own unit is shown, not
changed), the companies of their scope, the people placed there and their memberships
(``OrgMember``). A form of the tree learns that part (``with_place``) and refuses, with a
form error, a parent outside it (``stations.orgrules.parent_outside_place``) or a user
placed outside it (``place_outside``). A new company stays the superusers'.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from stations.models import Company, County, OrgMember, OrgUnit, Station
from stations.scope import in_scope, scoped
from stations.subtree import place_name, subtree

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


def within_scope(rows: QuerySet, user, path: str) -> QuerySet:
    """The rows of an admin's list that ``user`` may open: a unit, a membership or a user by
    the part of the tree their place covers; any other row by its company."""
    model = rows.model
    if model is OrgUnit or model is OrgMember or model is get_user_model():
        tree = subtree(user)
        if tree is None:
            return rows
        if model is OrgUnit:
            return rows.filter(pk__in=tree.unit_ids)
        if model is OrgMember:
            # As on the user list: a superuser's place is not an administrator's to change.
            return rows.filter(tree.memberships()).exclude(user__is_superuser=True)
        return rows.filter(tree.people(), is_superuser=False)
    return scoped(rows, user, path)


def _may_change(user, obj) -> bool:
    """A row of the list that the user may also change: not the unit they are placed in
    (nor one above it, which they do not see)."""
    tree = subtree(user)
    return tree is None or not isinstance(obj, OrgUnit) or tree.manages_unit(obj.pk)


def _may_save(user, obj, path: str) -> bool:
    """The last guard before a row is written (the forms have said why already)."""
    tree = subtree(user)
    if tree is None:
        return True
    if isinstance(obj, OrgUnit):
        return tree.holds_unit(obj.parent_id) and (obj.pk is None or tree.manages_unit(obj.pk))
    if isinstance(obj, OrgMember):
        return tree.holds_company(obj.company_id) or tree.holds_unit(obj.unit_id)
    if isinstance(obj, get_user_model()):
        return True  # found in the list only when within; placed by the inlines (checked)
    return in_scope(user, company_id_of(obj, path))


def _refusal(obj) -> str:
    if isinstance(obj, OrgUnit | OrgMember):
        return _("You may only change what lies below your place in the organisation.")
    return _("You may only change the records of your own company.")


def with_place(form, user):
    """The form class, told the part of the tree ``user`` manages (``subtree``: None for a
    superuser) and their place's name for its messages."""
    attributes = {"subtree": subtree(user), "place": lazy(place_name, str)(user)}
    return type(form.__name__, (form,), attributes)


class ReadableAutocomplete(AutocompleteSelect):
    """Django's autocomplete shows a posted value again by looking it up, and a value the
    id column cannot hold ("²" passes ``isdigit`` but not ``int``) made that a 500. Such a
    value is left out of the lookup; the form already says it is no valid choice."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)

        def readable(item) -> bool:
            try:
                target.get_prep_value(item)
            except (TypeError, ValueError, ValidationError):
                return False
            return True

        return super().optgroups(name, [item for item in value if readable(item)], attr)


def readable_autocomplete(field) -> None:
    """Give a form field's Django autocomplete the ``ReadableAutocomplete`` lookup."""
    if field is not None and type(field.widget) is AutocompleteSelect:
        field.widget.__class__ = ReadableAutocomplete


def _scoped_foreign_key(field, db_field, user):
    """Choices of companies, counties, stations and users within the user's scope. Units
    are not narrowed here: the tree's forms refuse one outside with a sentence that says
    why (and the admin's search offers only theirs)."""
    if field is None:
        return field
    readable_autocomplete(field)
    path = _CHOICES.get(db_field.related_model)
    if path is not None:
        field.queryset = scoped(field.queryset, user, path)
    elif db_field.related_model is get_user_model():
        field.queryset = within_scope(field.queryset, user, "")
    return field


class ScopedAdmin:
    #: The lookup from the admin's row to its company.
    scope_path = "company"

    def get_queryset(self, request):
        rows = super().get_queryset(request)  # type: ignore[misc]
        return within_scope(rows, request.user, self.scope_path)

    def get_list_filter(self, request):
        """A filter on a company (county, station …) lists only those of the user's rows,
        never the names of another company's."""
        found = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str) and entry.split("__")[-1] in _RELATED_FILTERS:
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            found.append(entry)
        return found

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # type: ignore[misc]
        return with_place(form, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return _scoped_foreign_key(field, db_field, request.user)

    def has_add_permission(self, request, *args) -> bool:
        tree = subtree(request.user)
        if tree is not None:
            if self.scope_path == "pk":
                return False  # a new company is the superusers'
            if self.model is OrgUnit and not tree.unit_ids:  # type: ignore[attr-defined]
                return False  # placed in a company: no unit to hang one under
        return super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not _may_change(request.user, obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not _may_change(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        if not _may_save(request.user, obj, self.scope_path):
            raise PermissionDenied(_refusal(obj))
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def delete_model(self, request, obj):
        if not (_may_save(request.user, obj, self.scope_path) and _may_change(request.user, obj)):
            raise PermissionDenied(_refusal(obj))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):
        """The list's "delete selected": every row must be one the user may delete."""
        refused = [obj for obj in queryset if not _may_change(request.user, obj)]
        if refused:
            raise PermissionDenied(_refusal(refused[0]))
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class ScopedInline:
    """An inline (a user's station, their place) with the same choices and form checks."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = with_place(formset.form, request.user)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return _scoped_foreign_key(field, db_field, request.user)
