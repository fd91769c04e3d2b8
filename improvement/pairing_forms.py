"""Forms of the branch-pairing and department-help pages: they parse what was chosen;
the rules (overlapping months, a partner chosen twice) are checked by
``improvement.services``."""

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


class PairingForm(SpanForm):
    """One partner choice per weak station: ``partner_<station id>``, a station of the
    partner grade or none."""

    def __init__(self, *args, weak: list[tuple[int, str, list, int | None]], **kwargs):
        """``weak``: (station id, its name, [(partner id, label)], the proposed partner)."""
        super().__init__(*args, **kwargs)
        self.weak_ids = [station_id for station_id, *_rest in weak]
        for station_id, name, partners, proposed in weak:
            self.fields[self.partner_field(station_id)] = forms.TypedChoiceField(
                label=_("Partner of %(station)s") % {"station": name},
                choices=[("", _("no partner")), *partners],
                coerce=int,
                empty_value=None,
                required=False,
                initial=proposed,
            )

    @staticmethod
    def partner_field(station_id: int) -> str:
        return f"partner_{station_id}"

    def chosen_pairs(self) -> list[tuple[int, int]]:
        """(weak, partner) of every weak station given a partner."""
        pairs = []
        for station_id in self.weak_ids:
            partner = self.cleaned_data.get(self.partner_field(station_id))
            if partner is not None:
                pairs.append((station_id, partner))
        return pairs


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


class EndForm(forms.Form):
    """Ending a pairing or help early: its new last month."""

    end_month = MonthField(label=_("End month"))
