"""Who is measured: a company, its counties (区县) and their supply stations (供电所)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations import pinyin as keys
from stations.codes import validate_org_code, validate_station_code

#: The fields ``NameKeys`` fills from ``name`` (a bulk write sets them itself:
#: ``name_keys``).
NAME_KEY_FIELDS = ("sort_key", "pinyin", "initials")


def name_keys(name: str) -> dict[str, str]:
    """The sort and search keys of a name (``stations.pinyin``)."""
    return {
        "sort_key": keys.sort_key(name),
        "pinyin": keys.full_pinyin(name),
        "initials": keys.initials(name),
    }


class NameKeys(models.Model):
    """A Chinese name's pinyin, stored so that lists sort by it and the header's search
    matches it in SQL: ``sort_key`` ("dong1wu2": by sound, then tone), ``pinyin``
    ("dongwu") and ``initials`` ("dw"). Filled from ``name`` on every save; a bulk write
    (``bulk_create``, ``bulk_update``, ``update``) sends no signal and calls no ``save``,
    so it sets them with ``name_keys`` (the station import does)."""

    sort_key = models.CharField(
        _("pinyin sort key"), max_length=keys.SORT_KEY_LENGTH, blank=True, editable=False
    )
    pinyin = models.CharField(
        _("pinyin"), max_length=keys.PINYIN_LENGTH, blank=True, editable=False
    )
    initials = models.CharField(
        _("pinyin initials"), max_length=keys.INITIALS_LENGTH, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for field, value in name_keys(self.name).items():
            setattr(self, field, value)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, *NAME_KEY_FIELDS}
        super().save(*args, **kwargs)


class OrgUnit(models.Model):
    """A level of the organisation above the grading unit (a group, a province company
    …). Companies, the grading units, hang under one; units nest to any depth."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[validate_org_code])
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """A grading unit (a city company): it grades its own stations with its own weights,
    targets, method and month close."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_org_code],
        help_text=_(
            "Its place in the organisation tree: a row of the organisation file "
            "(import_org) with this code puts the company under that row's parent."
        ),
    )
    parent = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
        verbose_name=_("parent unit"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: The order counties are listed in: the order an administrator set, then by pinyin.
COUNTY_ORDER = (models.F("sort_order").asc(nulls_last=True), "sort_key", "name")
#: The order stations are listed in by name: by pinyin, then by code.
STATION_ORDER = ("sort_key", "code")


class County(NameKeys):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="counties", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveIntegerField(
        _("sort order"),
        null=True,
        blank=True,
        help_text=_(
            "The county's place in lists (1 first), when the company has an official "
            "order; counties without one follow, by pinyin."
        ),
    )

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["company", *COUNTY_ORDER]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="county_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Station(NameKeys):
    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[validate_station_code]
    )
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="stations", verbose_name=_("county")
    )
    latitude = models.FloatField(
        _("latitude (WGS84)"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude (WGS84)"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    staff_count = models.PositiveIntegerField(_("staff count"), default=0)
    active = models.BooleanField(_("active"), default=True)
    peer_group = models.CharField(
        _("peer group"),
        max_length=40,
        blank=True,
        help_text=_(
            "Stations compared with each other when the scoring method grades within "
            "peer groups (e.g. urban, rural)."
        ),
    )

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["county", "active"]),
            models.Index(fields=["sort_key", "code"], name="station_sort_key"),
            # The header's search: prefix matches (``LIKE 'x%'``) use these on PostgreSQL
            # whatever the database's collation (the opclasses are ignored elsewhere).
            models.Index(
                fields=["pinyin"], name="station_pinyin_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["initials"],
                name="station_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["code"], name="station_code_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        permissions = [
            ("view_all_station_details", _("Can see every station's indicator detail")),
            ("manage_all_stations", _("Can manage every station's improvement work")),
            ("manage_own_station", _("Can manage own station's improvement work")),
        ]

    def __str__(self) -> str:
        return self.name


class StationMember(models.Model):
    """Links a user to the one station they work at (station staff, 所员). Whether they
    are its branch secretary is their role (``stations.roles``), not a field here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="station_membership",
        verbose_name=_("user"),
    )
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="members", verbose_name=_("station")
    )

    class Meta:
        verbose_name = _("station member")
        verbose_name_plural = _("station members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.station}"


class OrgMember(models.Model):
    """Places a user who is not station staff in the organisation tree: in one company
    (its party committee, its administrators) or in a unit above companies (a province
    viewer sees every company below, read only). What they may do is still their role
    (``stations.roles``); this says where."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="org_membership",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("company"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation unit"),
    )

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False, unit__isnull=True)
                | models.Q(company__isnull=True, unit__isnull=False),
                name="org_member_in_company_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company or self.unit}"


class MapShape(models.Model):
    """A GeoJSON (Multi)Polygon in WGS84 longitude/latitude, with where it came from."""

    geometry = models.JSONField(_("geometry (GeoJSON, WGS84)"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CountyBoundary(MapShape):
    """A county's border."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="boundary", verbose_name=_("county")
    )

    class Meta:
        verbose_name = _("county boundary")
        verbose_name_plural = _("county boundaries")

    def __str__(self) -> str:
        return str(self.county)


class ServiceArea(MapShape):
    """A station's service area uploaded by an admin. Stations without one get a
    derived area (Voronoi cell clipped to the county), see ``stations.areas``."""

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, related_name="service_area", verbose_name=_("station")
    )

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return str(self.station)
