"""Who is measured: a company, its counties (区县) and their supply stations (供电所)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
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
    code = models.CharField(_("code"), max_length=32, unique=True)
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

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]
        indexes = [models.Index(fields=["county", "active"])]

    def __str__(self) -> str:
        return self.name


class StationMember(models.Model):
    """Links a user to the one station they work at (station staff, 所员)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="station_membership",
        verbose_name=_("user"),
    )
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="members", verbose_name=_("station")
    )
    is_secretary = models.BooleanField(_("branch secretary"), default=False)

    class Meta:
        verbose_name = _("station member")
        verbose_name_plural = _("station members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.station}"
