import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from stations.geoimport import (
    MAX_GEOJSON_BYTES,
    import_county_boundaries,
    import_service_areas,
    too_large,
)
from stations.models import (
    Company,
    County,
    CountyBoundary,
    OrgMember,
    OrgUnit,
    ServiceArea,
    Station,
    StationMember,
)
from stations.orgrules import (
    code_in_use,
    parent_outside_place,
    place_outside,
    second_place_error,
    staff_placed_elsewhere,
    unit_parent_error,
)
from stations.scopeadmin import ScopedAdmin, ScopedInline
from stations.signals import announce_company_created
from stations.subtree import Subtree
from tabular.defects import FileRejected


class TreeForm(forms.ModelForm):
    """A form of the tree, told by the admin the part of it the user manages
    (``stations.scopeadmin.with_place``; None: all of it, a superuser)."""

    subtree: Subtree | None = None
    place: object = ""

    def check_parent(self, parent) -> None:
        """The parent chosen lies at or below the user's place (or is the stored one)."""
        allowed = None if self.subtree is None else self.subtree.unit_ids
        error = parent_outside_place(
            parent.pk if parent is not None else None,
            stored_parent_id=self.instance.parent_id,
            is_new=self.instance.pk is None,
            allowed=allowed,
            place=str(self.place),
        )
        if error:
            self.add_error("parent", error)

    def code_clash(self, message: str) -> forms.ValidationError:
        """A code already in use: named to a superuser; to an administrator of a part of
        the tree only said to be taken (the clash may be another province's unit,
        company or station, whose name is not theirs to read)."""
        if self.subtree is not None:
            message = _("This code is already in use; choose another.")
        return forms.ValidationError(message)


class OrgUnitForm(TreeForm):
    """The tree's rules (``stations.orgrules``), the same as the organisation file's, and
    the parent within the administrator's part of the tree."""

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "parent"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        clash = code_in_use(code, unit_id=self.instance.pk)
        if clash and not OrgUnit.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise self.code_clash(clash)  # (another unit's code: the unique check says)
        return code

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        if "parent" in cleaned:
            self.check_parent(parent)
        if self.instance.pk is not None and parent is not None:
            units = OrgUnit.objects.values_list("pk", "parent_id", "code")
            stored = {pk: parent_id for pk, parent_id, _code in units}
            codes = {pk: code for pk, _parent, code in units}
            codes[self.instance.pk] = cleaned.get("code") or codes[self.instance.pk]
            error = unit_parent_error(self.instance.pk, parent.pk, stored, codes)
            if error:
                self.add_error("parent", error)
        return cleaned


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin, admin.ModelAdmin):
    """Units above companies (a province …). Many at once: ``manage.py import_org``. An
    administrator placed at a unit manages the units below it (``ScopedAdmin``)."""

    form = OrgUnitForm
    list_display = ["code", "name", "parent"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class CompanyForm(TreeForm):
    class Meta:
        model = Company
        fields = ["name", "code", "parent"]

    def clean(self):
        cleaned = super().clean()
        if "parent" in cleaned:
            self.check_parent(cleaned.get("parent"))
        return cleaned

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code:
            clash = code_in_use(code, company_id=self.instance.pk)
            taken = Company.objects.filter(code=code).exclude(pk=self.instance.pk).exists()
            if clash and not taken:  # (another company's code: the unique check says)
                raise self.code_clash(clash)
        return code


@admin.register(Company)
class CompanyAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "pk"
    form = CompanyForm
    list_display = ["name", "code", "parent", "created_at"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        """A company added here starts with weight version 1, like one made by import."""
        super().save_model(request, obj, form, change)
        if not change:
            announce_company_created(obj)


class CountyForm(forms.ModelForm):
    """A county moved to another company takes its stations' staff along: refused while
    one of them is placed elsewhere in the tree too."""

    class Meta:
        model = County
        fields = ["company", "name", "sort_order"]

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company")
        if self.instance.pk and company is not None and company.pk != self.instance.company_id:
            error = staff_placed_elsewhere(Station.objects.filter(county=self.instance), company)
            if error:
                self.add_error("company", error)
        return cleaned


class StationForm(forms.ModelForm):
    """A station moved to another company's county takes its staff along (as above)."""

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "county",
            "latitude",
            "longitude",
            "staff_count",
            "active",
            "peer_group",
        ]

    def clean(self):
        cleaned = super().clean()
        county = cleaned.get("county")
        moving = self.instance.pk and county is not None
        if moving and county.company_id != self.instance.county.company_id:
            error = staff_placed_elsewhere(
                Station.objects.filter(pk=self.instance.pk), county.company
            )
            if error:
                self.add_error("county", error)
        return cleaned


@admin.register(County)
class CountyAdmin(ScopedAdmin, admin.ModelAdmin):
    form = CountyForm
    scope_path = "company"
    list_display = ["name", "company", "sort_order"]
    # The official order of the counties, set here in one go (blank: by pinyin).
    list_editable = ["sort_order"]
    list_filter = ["company"]
    search_fields = ["name"]


@admin.register(Station)
class StationAdmin(ScopedAdmin, admin.ModelAdmin):
    form = StationForm
    scope_path = "county__company"
    list_display = ["code", "name", "county", "staff_count", "active"]
    list_filter = ["active", "county__company", "county"]
    search_fields = ["code", "name", "pinyin", "initials"]
    list_select_related = ["county"]


#: The prefixes of the user page's two inlines (their related names).
STATION_PREFIX, PLACE_PREFIX = "station_membership", "org_membership"


def _posts_form(data, prefix: str) -> bool:
    """Whether this request is the user page's and posts its inline's row (a browser
    always does: the stored row, or a new one)."""
    total = _id(data.get(f"{prefix}-TOTAL_FORMS") or "")
    return total is not None and total > 0


def _id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdecimal() else None


class OnePlace:
    """A user is placed at a station or in the tree, or both when the place in the tree is
    the station's company (``stations.orgrules.second_place_error``): checked across the
    user page's two inlines as posted, else against what is stored."""

    data: dict

    def the_user(self, cleaned):
        user = cleaned.get("user") or getattr(self.instance, "user", None)  # type: ignore[attr-defined]
        return user if user is not None and user.pk else None

    def refuse_second_place(self, station, company, unit) -> None:
        error = second_place_error(
            station, company.pk if company else None, unit.pk if unit else None
        )
        if error:
            raise forms.ValidationError(error)


class StationMemberForm(OnePlace, forms.ModelForm):
    class Meta:
        model = StationMember
        fields = ["station"]

    def clean(self):
        cleaned = super().clean()
        station = cleaned.get("station")
        if station is None or cleaned.get("DELETE"):
            return cleaned
        if _posts_form(self.data, PLACE_PREFIX):
            return cleaned  # the user page: its place inline checks both, and says it once
        user = self.the_user(cleaned)
        place = OrgMember.objects.filter(user=user).first() if user else None
        company, unit = (place.company, place.unit) if place else (None, None)
        self.refuse_second_place(station, company, unit)
        return cleaned


class StationMemberWithUserForm(StationMemberForm):
    class Meta(StationMemberForm.Meta):
        fields = ["user", "station"]


class StationMemberInline(ScopedInline, admin.StackedInline):
    """A user's station, set where their roles (groups) are set."""

    model = StationMember
    form = StationMemberForm
    can_delete = True
    autocomplete_fields = ["station"]
    extra = 0
    max_num = 1
    verbose_name_plural = _("station (for station staff and secretaries)")


class OrgMemberForm(OnePlace, TreeForm):
    """One of the two, company or unit (the model's constraint, said in words), at or
    below the administrator's place, and beside a station only its company."""

    class Meta:
        model = OrgMember
        fields = ["company", "unit"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("company")) == bool(cleaned.get("unit")):
            raise forms.ValidationError(
                _("Choose a company or an organisation unit, one of the two.")
            )
        tree = self.subtree
        company, unit = cleaned.get("company"), cleaned.get("unit")
        error = place_outside(
            company.pk if company else None,
            unit.pk if unit else None,
            companies=None if tree is None else tree.company_ids,
            units=None if tree is None else tree.unit_ids,
            place=str(self.place),
        )
        if error:
            raise forms.ValidationError(error)
        if not cleaned.get("DELETE"):
            self.refuse_second_place(self._station(cleaned), company, unit)
        return cleaned

    def _station(self, cleaned) -> Station | None:
        if _posts_form(self.data, STATION_PREFIX):
            deleted = self.data.get(f"{STATION_PREFIX}-0-DELETE")
            station_id = (
                None if deleted else _id(self.data.get(f"{STATION_PREFIX}-0-station") or "")
            )
            rows = Station.objects.filter(pk=station_id) if station_id else Station.objects.none()
        else:
            user = self.the_user(cleaned)
            rows = Station.objects.filter(members__user=user) if user else Station.objects.none()
        return rows.select_related("county__company").first()


class OrgMemberInline(ScopedInline, admin.StackedInline):
    """Where a user who is not station staff belongs: a company (its committee, its
    administrators) or a unit above companies (reads every company below)."""

    model = OrgMember
    form = OrgMemberForm
    can_delete = True
    autocomplete_fields = ["company", "unit"]
    extra = 0
    max_num = 1
    # A single inline is headed by its verbose_name.
    verbose_name = verbose_name_plural = _(
        "place in the organisation (committee, administrators, viewers)"
    )


#: The fields of the user page's inlines that place a user.
PLACING_FIELDS = (
    "station_membership-0-station",
    "org_membership-0-company",
    "org_membership-0-unit",
)


class PlacedOnAdd:
    """A user added by an administrator who is not a superuser is placed at once (the
    inlines' fields, read from the same request)."""

    data: dict

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        if not any(self.data.get(name) for name in PLACING_FIELDS):
            raise forms.ValidationError(
                _(
                    "Place the new user below: at a station, or in a company or a unit of "
                    "your part of the organisation (you see only the people placed there)."
                )
            )
        return cleaned


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithStationAdmin(ScopedAdmin, UserAdmin):
    """Users: a superuser sees everyone; an administrator the people placed within their
    part of the tree (``stations.subtree``), never a superuser, nor anyone placed nowhere
    or elsewhere. A user they add is placed in the same form (at a station or in the tree
    below them), or they would lose sight of them at once."""

    inlines = [StationMemberInline, OrgMemberInline]
    list_display = [*UserAdmin.list_display, "station_membership", "org_membership"]
    list_select_related = [
        "station_membership__station",
        "org_membership__company",
        "org_membership__unit",
    ]
    list_filter = [*UserAdmin.list_filter, "station_membership__station__county"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not request.user.is_superuser:
            return type(form.__name__, (PlacedOnAdd, form), {})
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:  # no way up to superuser or extra rights
            fields += ["is_superuser", "user_permissions"]
        return fields


@admin.register(StationMember)
class StationMemberAdmin(ScopedAdmin, admin.ModelAdmin):
    form = StationMemberWithUserForm
    scope_path = "station__county__company"
    list_display = ["user", "station"]
    list_select_related = ["user", "station"]
    search_fields = ["user__username", "station__name", "station__code"]
    autocomplete_fields = ["station"]


class OrgMemberWithUserForm(OrgMemberForm):
    class Meta(OrgMemberForm.Meta):
        fields = ["user", "company", "unit"]


@admin.register(OrgMember)
class OrgMemberAdmin(ScopedAdmin, admin.ModelAdmin):
    form = OrgMemberWithUserForm
    list_display = ["user", "company", "unit"]
    list_select_related = ["user", "company", "unit"]
    list_filter = [
        ("company", admin.RelatedOnlyFieldListFilter),
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "user__first_name", "company__name", "unit__name"]
    autocomplete_fields = ["user", "company", "unit"]


class GeoJSONUploadForm(forms.Form):
    company = forms.ModelChoiceField(Company.objects.all(), label=_("company"))
    file = forms.FileField(label=_("GeoJSON file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_GEOJSON_BYTES:
            raise forms.ValidationError(str(too_large()))
        return upload


class GeoJSONUploadAdmin(admin.ModelAdmin):
    """Shapes are replaced by uploading a whole GeoJSON file, checked all or nothing."""

    change_list_template = "admin/stations/geojson_change_list.html"
    upload_title = ""
    upload_help = ""

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="{}_{}_upload".format(*info),
        )
        return [upload, *super().get_urls()]

    def import_file(self, company: Company, file_path: Path) -> int:
        raise NotImplementedError

    def has_add_permission_to_upload(self, request) -> bool:
        """Uploading creates rows: it needs the model's add permission too."""
        codename = f"{self.opts.app_label}.add_{self.opts.model_name}"
        return request.user.has_perm(codename)

    def upload_view(self, request):
        if not (self.has_change_permission(request) and self.has_add_permission_to_upload(request)):
            raise PermissionDenied
        companies = Company.objects.all()
        initial = {"company": companies[0]} if len(companies[:2]) == 1 else {}
        form = GeoJSONUploadForm(request.POST or None, request.FILES or None, initial=initial)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as folder:
                file_path = Path(folder) / Path(upload.name).name
                with file_path.open("wb") as target:
                    for chunk in upload.chunks():
                        target.write(chunk)
                try:
                    count = self.import_file(form.cleaned_data["company"], file_path)
                except FileRejected as rejected:
                    errors = rejected.report().splitlines()
                else:
                    self.message_user(
                        request, _("%(count)d shapes loaded.") % {"count": count}, messages.SUCCESS
                    )
                    return redirect(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.upload_title,
            "help_text": self.upload_help,
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/stations/geojson_upload.html", context)


@admin.register(ServiceArea)
class ServiceAreaAdmin(GeoJSONUploadAdmin):
    list_display = ["station", "source", "updated_at"]
    list_select_related = ["station"]
    search_fields = ["station__code", "station__name"]
    readonly_fields = ["station", "geometry", "source", "updated_at"]
    upload_title = _("Upload station service areas (GeoJSON, property “code”)")
    upload_help = _(
        "A FeatureCollection of Polygon or MultiPolygon features in WGS84 longitude, latitude, "
        "each with a “code” property equal to a station code. A file with any problem is refused "
        "whole and nothing is changed. Stations without an uploaded area get one derived from "
        "the station points (a Voronoi cell clipped to the county, outside uploaded areas)."
    )

    def import_file(self, company, file_path):
        return import_service_areas(company, file_path)


@admin.register(CountyBoundary)
class CountyBoundaryAdmin(GeoJSONUploadAdmin):
    list_display = ["county", "source", "updated_at"]
    list_select_related = ["county"]
    readonly_fields = ["county", "geometry", "source", "updated_at"]
    upload_title = _("Upload county boundaries (GeoJSON, property “name”)")
    upload_help = _(
        "A FeatureCollection of Polygon or MultiPolygon features in WGS84 longitude, latitude, "
        "each with a “name” property equal to a county name. A file with any problem is refused "
        "whole and nothing is changed."
    )

    def import_file(self, company, file_path):
        return import_county_boundaries(company, file_path)
