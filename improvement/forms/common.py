"""What the forms of improvement share: a service's errors shown on a form, a model
field's label, and the dated check-in note of a measure or a project."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
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


class PlainSelect(forms.Select):
    """A ``<select>`` of flat choices written directly, not through the form renderer's
    templates (one per option): a pairing page has a select per weak station, each with
    every eligible partner, and the templates took most of its time (about 300 ms of a
    100-station company's page). Same markup as ``forms.Select`` for flat choices."""

    def render(self, name, value, attrs=None, renderer=None):
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        # In the order given, name first, as Django's template writes them (``flatatt``
        # sorts them).
        written = format_html_join(
            "",
            ' {}="{}"',
            (
                (key, "" if value is True else value)
                for key, value in final.items()
                if value is not None and value is not False
            ),
        )
        chosen = set(self.format_value(value))
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, selected if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", written, options)


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
