"""The branch-pairing forms: the committee's partner for each weak station, on one page
(``PairingForm``) or a page at a time (``PairingPageForm``, a company with many)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.forms.common import PlainSelect
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
                widget=PlainSelect,
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


#: Finds the partner typed for a weak station: (weak id, code) → (partner id, None), or
#: (None, why it is refused).
Resolver = Callable[[int, str], tuple[int | None, str | None]]


class PairingPageForm(SpanForm):
    """One page of a paged pairing (many weak stations): for each weak station of the page
    a select of its proposed partner and best candidates (``partner_<id>``) and a code to
    type any other station (``code_<id>``, which wins when given); ``resolve`` finds and
    checks a typed code (the plan's rule). The months and the note as on the whole form."""

    def __init__(
        self, *args, weak: list[tuple[int, str, list, int | None]], resolve: Resolver, **kwargs
    ):
        """``weak``: (station id, its name, [(partner id, label)], its partner so far)."""
        super().__init__(*args, **kwargs)
        self.resolve = resolve
        self.weak_ids = [station_id for station_id, *_rest in weak]
        for station_id, name, partners, current in weak:
            self.fields[PairingForm.partner_field(station_id)] = forms.TypedChoiceField(
                label=_("Partner of %(station)s") % {"station": name},
                choices=[("", _("no partner")), *partners],
                coerce=int,
                empty_value=None,
                required=False,
                initial=current,
                widget=PlainSelect,
            )
            self.fields[self.code_field(station_id)] = forms.CharField(
                label=_("Another station for %(station)s (its code)") % {"station": name},
                max_length=64,
                required=False,
            )

    @staticmethod
    def code_field(station_id: int) -> str:
        return f"code_{station_id}"

    def clean(self):
        data = super().clean()
        for station_id in self.weak_ids:
            code = (data.get(self.code_field(station_id)) or "").strip()
            if not code:
                continue
            partner, error = self.resolve(station_id, code)
            if error:
                self.add_error(self.code_field(station_id), error)
            else:
                data[PairingForm.partner_field(station_id)] = partner
        return data

    def rows_valid(self) -> bool:
        """Whether every partner of the page was understood (the months may still be
        wrong: moving to another page keeps the choices all the same)."""
        self.is_valid()
        return not any(
            name in self.errors
            for station_id in self.weak_ids
            for name in (PairingForm.partner_field(station_id), self.code_field(station_id))
        )

    def chosen(self) -> dict[int, int | None]:
        """The page's weak station id → its partner (None: no partner)."""
        return {
            station_id: self.cleaned_data.get(PairingForm.partner_field(station_id))
            for station_id in self.weak_ids
        }
