"""What the branch-pairing and department-help forms share: the months a record accepted
now runs, and ending one early. The rules (overlapping months, a partner chosen twice) are
checked by ``improvement.services``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.selectors import default_span
from improvement.services import Span
from indicators.forms import MonthField


class SpanForm(forms.Form):
    """The months a pairing or help accepted now runs (next month and the two after it
    unless changed), and a note."""

    start_month = MonthField(label=_("First month"))
    end_month = MonthField(label=_("End month"))
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args, based_on: date, **kwargs):
        start, end = default_span(based_on)
        kwargs.setdefault("initial", {"start_month": start, "end_month": end})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", _("The last month cannot be before the first month."))
        return data

    def span(self) -> Span:
        data = self.cleaned_data
        return Span(data["start_month"], data["end_month"], data["note"])


class EndForm(forms.Form):
    """Ending a pairing or help early: its new last month."""

    end_month = MonthField(label=_("End month"))
