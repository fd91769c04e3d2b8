"""The department-help form: the rows of the month's proposal to accept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.forms.spans import SpanForm


class HelpForm(SpanForm):
    """The rows of the department-help proposal to accept (``<station id>:<indicator>``),
    or every row of one department (``whole``, on a page that shows a department's rows a
    page at a time)."""

    rows = forms.MultipleChoiceField(
        label=_("Accept"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one station and indicator.")},
    )

    #: A paged page's "accept all of this department": the department (its name).
    whole = forms.ChoiceField(required=False)

    def __init__(self, *args, keys: list[str], departments: list[str] | None = None, **kwargs):
        """``keys``: the rows that may be ticked; ``departments``: those whose rows may be
        accepted all at once (a paged page; none on one page)."""
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [(key, key) for key in keys]
        self.fields["rows"].required = False  # or a whole department (``clean``)
        self.fields["whole"].choices = [(name, name) for name in departments or []]

    def clean(self):
        data = super().clean()
        if not data.get("rows") and not data.get("whole") and "whole" not in self.errors:
            self.add_error("rows", self.fields["rows"].error_messages["required"])
        return data
