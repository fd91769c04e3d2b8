"""The department-help form: the rows of the month's proposal to accept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.forms.spans import SpanForm


class HelpForm(SpanForm):
    """The rows of the department-help proposal to accept (``<station id>:<indicator>``)."""

    rows = forms.MultipleChoiceField(
        label=_("Accept"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one station and indicator.")},
    )

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [(key, key) for key in keys]
