"""Texts indicators stores in English and shows translated (``audit.labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Written by migration 0004_indicator_departments as the retirement reason of an
#: indicator already switched off (a migration cannot import this module: a test keeps
#: the two equal).
RETIRED_BEFORE_MONTHS = "Inactive before indicators had months in force"

STORED_TEXTS = {RETIRED_BEFORE_MONTHS: _("Inactive before indicators had months in force")}
