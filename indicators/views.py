"""Indicator data uploaded from the browser: the same all-or-nothing import as
``manage.py import_indicators``, run as a background job (``indicators.jobs``) whose
page shows its progress, its result or every defect by file line."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from indicators import aftermath
from indicators.filetemplates import (
    FORMATS,
    LAYOUTS,
    TemplateIndicator,
    template_csv,
    template_rows,
    template_xlsx,
)
from indicators.jobs import submit_import, upload_sha256
from indicators.models import ImportBatch
from indicators.periods import add_months, format_period, month_start
from indicators.rollback import RollbackRefused, rollback_effects, rollback_import, rollback_refusal
from indicators.selectors import (
    batches_for,
    import_changes,
    indicator_reference,
    loaded_before,
    recent_imports,
)
from stations.models import Station
from stations.viewer import viewed_company

ACCEPTED_SUFFIXES = (".csv", ".xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Seconds between reloads of the page of a job that is still running.
REFRESH_SECONDS = 3


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Indicator data file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Long form (station_code, period, indicator_code, value) or wide form (one "
            "column per indicator); the format and the templates are below."
        ),
    )
    again = forms.BooleanField(
        label=gettext_lazy("Load it again although the same file was loaded before"),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(
                _("%(name)s is not a .csv or .xlsx file.") % {"name": upload.name}
            )
        return upload

    def clean(self):
        """The same file loaded before (by its content) is loaded again only when the
        admin says so: a second identical batch is rarely meant."""
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        cleaned["sha256"] = upload_sha256(upload)  # read once: the job records it too
        if cleaned.get("again"):
            return cleaned
        earlier = loaded_before(cleaned["sha256"], self.user)
        if earlier is not None:
            self.duplicate_of = earlier
            self.add_error(
                "file",
                _(
                    "This file was already loaded on %(when)s (import %(number)d, %(values)d "
                    "values). To load it once more, tick the box below and choose the file "
                    "again."
                )
                % {
                    "when": date_format(localtime(earlier.created_at), "Y-m-d H:i"),
                    "number": earlier.pk,
                    "values": earlier.value_count,
                },
            )
        return cleaned


@permission_required("indicators.add_importbatch", raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        batch = submit_import(
            upload=form.cleaned_data["file"],
            sha256=form.cleaned_data["sha256"],
            user=request.user,
            language=translation.get_language() or "",
        )
        return redirect("imports:job", pk=batch.pk)
    return render(
        request,
        "indicators/upload.html",
        {
            "form": form,
            "batches": recent_imports(user=request.user),
            "duplicate_of": getattr(form, "duplicate_of", None),
            "indicators": indicator_reference(),
            "layouts": LAYOUTS,
            "formats": FORMATS,
        },
        status=400 if form.is_bound else 200,
    )


@permission_required("indicators.add_importbatch", raise_exception=True)
@require_GET
def template(request: HttpRequest, layout: str, file_format: str) -> HttpResponse:
    """A blank file to fill in (``indicators.filetemplates``) for the viewer's company
    and the month that has just ended."""
    if layout not in LAYOUTS or file_format not in FORMATS:
        raise Http404()
    indicators = [
        TemplateIndicator(i.code, i.name, i.unit_label, i.min_value, i.max_value)
        for i in indicator_reference()
        if i.active
    ]
    company = viewed_company(request)
    codes = (
        list(
            Station.objects.filter(county__company=company, active=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if company is not None
        else []
    )
    period = add_months(month_start(timezone.localdate()), -1)
    rows = template_rows(layout, indicators, codes, period)
    name = f"indicators-{layout}-{format_period(period)}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(template_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        labels = {
            "values": _("values"),
            "indicators": _("indicators"),
            "code": _("code"),
            "name": _("name"),
            "unit": _("unit"),
            "min": _("lowest valid value"),
            "max": _("highest valid value"),
        }
        response = HttpResponse(template_xlsx(rows, indicators, labels), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@permission_required("indicators.add_importbatch", raise_exception=True)
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return render(
        request,
        "indicators/import_job.html",
        {
            "batch": batch,
            "effects": aftermath.effects(batch),
            "changes": import_changes(batch),
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
