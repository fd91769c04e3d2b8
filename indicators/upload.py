"""Indicator data uploaded from the browser: the same all-or-nothing import as
``manage.py import_indicators``, with every defect listed by file line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from indicators.defects import FileRejected
from indicators.models import ImportBatch, ImportSource
from indicators.periods import format_period
from indicators.services import import_indicator_file

#: How many of the latest imports the page lists.
RECENT_IMPORTS = 30
ACCEPTED_SUFFIXES = (".csv", ".xlsx")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Indicator data file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Long form (station_code, period, indicator_code, value) or wide form (one "
            "column per indicator); see docs/data-formats.md."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(
                _("%(name)s is not a .csv or .xlsx file.") % {"name": upload.name}
            )
        return upload


@permission_required("indicators.add_importbatch", raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = import_indicator_file(
                    path, source=ImportSource.WEB, user=request.user, display_name=upload.name
                )
            except FileRejected as refusal:
                rejected = refusal
            else:
                months = ", ".join(format_period(period) for period in result.periods)
                messages.success(
                    request,
                    ngettext(
                        "Loaded %(values)d value of %(file)s for %(months)s; the scores are "
                        "being recomputed.",
                        "Loaded %(values)d values of %(file)s for %(months)s; the scores are "
                        "being recomputed.",
                        result.batch.value_count,
                    )
                    % {"values": result.batch.value_count, "file": upload.name, "months": months},
                )
                return redirect("imports:upload")
    batches = ImportBatch.objects.select_related("company", "created_by").order_by(
        "-created_at", "-id"
    )[:RECENT_IMPORTS]
    return render(
        request,
        "indicators/upload.html",
        {"form": form, "rejected": rejected, "batches": batches},
        status=400 if rejected else 200,
    )
