"""What the forms of improvement share: a service's errors shown on a form, a model
field's label, and the dated check-in note of a measure or a project."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from improvement.models import CheckIn, MeasureStatus


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form: each message next to its field, on the
    form itself when the form has no such field or the error names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def model_label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class CheckInForm(forms.Form):
    """A dated note, optionally changing the status (choices given by the caller)."""

    note = forms.CharField(
        label=model_label(CheckIn, "note"), widget=forms.Textarea(attrs={"rows": 3})
    )
    new_status = forms.ChoiceField(label=_("Change the status to"), required=False)

    def __init__(self, *args, statuses=MeasureStatus.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [("", _("(unchanged)")), *statuses]
