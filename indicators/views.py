"""Indicator data uploaded from the browser: the same all-or-nothing import as
``manage.py import_indicators``, run as a background job (``indicators.jobs``) whose
page shows its progress, its result or every defect by file line."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from indicators.jobs import submit_import
from indicators.models import ImportBatch
from indicators.rollback import RollbackRefused, rollback_effects, rollback_import, rollback_refusal
from indicators.selectors import batches_for, recent_imports

ACCEPTED_SUFFIXES = (".csv", ".xlsx")
#: Seconds between reloads of the page of a job that is still running.
REFRESH_SECONDS = 3


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
    if request.method == "POST" and form.is_valid():
        batch = submit_import(
            upload=form.cleaned_data["file"],
            user=request.user,
            language=translation.get_language() or "",
        )
        return redirect("imports:job", pk=batch.pk)
    return render(
        request,
        "indicators/upload.html",
        {"form": form, "batches": recent_imports(user=request.user)},
        status=400 if form.is_bound else 200,
    )


@permission_required("indicators.add_importbatch", raise_exception=True)
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return render(
        request,
        "indicators/import_job.html",
        {
            "batch": batch,
            "refresh_seconds": REFRESH_SECONDS,
            "can_roll_back": request.user.has_perm("indicators.rollback_importbatch"),
        },
    )


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    """An import of a company in the user's scope (another company's is not found)."""
    batches = ImportBatch.objects.select_related("company", "created_by")
    return get_object_or_404(batches_for(request.user, batches), pk=pk)


class RollbackForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it rolled back?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@permission_required("indicators.rollback_importbatch", raise_exception=True)
@require_http_methods(["GET", "POST"])
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (and a reason), then roll the import back as a batch."""
    batch = _batch_or_404(request, pk)
    form = RollbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rollback_import(batch=batch, user=request.user, reason=form.cleaned_data["reason"])
        except RollbackRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("%(file)s was rolled back; %(months)s are being scored again.")
                % {"file": batch.file_name, "months": ", ".join(batch.periods)},
            )
        return redirect("imports:job", pk=batch.pk)
    refusal = rollback_refusal(batch)
    return render(
        request,
        "indicators/rollback.html",
        {
            "batch": batch,
            "form": form,
            "refusal": refusal,
            "effects": None if refusal else rollback_effects(batch),
        },
        status=400 if form.is_bound else 200,
    )
