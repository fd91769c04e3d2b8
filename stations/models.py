"""Who is measured: a company, its counties (区县) and their supply stations (供电所)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.codes import validate_org_code, validate_station_code


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


class County(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="counties", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="county_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
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
        indexes = [models.Index(fields=["county", "active"])]
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
