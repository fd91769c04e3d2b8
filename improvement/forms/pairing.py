"""The branch-pairing form: the committee's partner for each weak station."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.forms.spans import SpanForm


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
