"""The form of a station's improvement measure."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.forms.common import model_label
from improvement.models import Cause, Measure
from improvement.services import IndicatorCause, MeasureFields
from indicators.forms import MonthField
from indicators.models import Indicator


class MeasureForm(forms.Form):
    """What, who, by when, and for each indicator in force: whether the measure works on
    it, and why it lags (``use_<code>``, ``cause_<code>``, ``note_<code>``)."""

    title = forms.CharField(label=model_label(Measure, "title"), max_length=200)
    owner = forms.CharField(label=model_label(Measure, "owner"), max_length=100)
    due_month = MonthField(label=model_label(Measure, "due_month"))
    details = forms.CharField(
        label=model_label(Measure, "details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            code = indicator.code
            self.fields[f"use_{code}"] = forms.BooleanField(label=indicator.name, required=False)
            self.fields[f"cause_{code}"] = forms.ChoiceField(
                label=_("Why %(indicator)s lags") % {"indicator": indicator.name},
                choices=Cause.choices,
                initial=Cause.UNKNOWN,
                required=False,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("About the cause of %(indicator)s") % {"indicator": indicator.name},
                required=False,
                max_length=300,
            )

    def indicator_rows(self) -> list[tuple]:
        """(indicator, use, cause, note) bound fields, for the template's table."""
        return [
            (
                indicator,
                self[f"use_{indicator.code}"],
                self[f"cause_{indicator.code}"],
                self[f"note_{indicator.code}"],
            )
            for indicator in self.indicators
        ]

    def measure_fields(self) -> MeasureFields:
        data = self.cleaned_data
        return MeasureFields(
            title=data["title"],
            owner=data["owner"],
            due_month=data["due_month"],
            details=data["details"],
        )

    def causes(self) -> list[IndicatorCause]:
        data = self.cleaned_data
        return [
            IndicatorCause(
                indicator.code,
                data[f"cause_{indicator.code}"] or Cause.UNKNOWN,
                data[f"note_{indicator.code}"],
            )
            for indicator in self.indicators
            if data.get(f"use_{indicator.code}")
        ]

    @staticmethod
    def initial_for(measure: Measure) -> dict:
        initial = {
            "title": measure.title,
            "owner": measure.owner,
            "due_month": measure.due_month,
            "details": measure.details,
        }
        for link in measure.links.select_related("indicator"):
            code = link.indicator.code
            initial |= {
                f"use_{code}": True,
                f"cause_{code}": link.cause,
                f"note_{code}": link.cause_note,
            }
        return initial
