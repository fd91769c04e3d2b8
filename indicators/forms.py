"""Forms of the indicators page: they parse what was typed; the rules (a valid range,
a free code, a retirement after the start) are checked by ``indicators.services``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from indicators.models import Direction, Indicator
from indicators.periods import PERIOD_FORMAT_HINT, PeriodError, format_period, parse_period
from indicators.services import IndicatorFields


def _model_field(name: str, **kwargs) -> forms.Field:
    """The form field of a model field, with the model's translated label."""
    return Indicator._meta.get_field(name).formfield(**kwargs)


class MonthInput(forms.TextInput):
    """A month picker where the browser has one, a YYYY-MM text box elsewhere."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": PERIOD_FORMAT_HINT, **(attrs or {})})

    def format_value(self, value):
        return format_period(value) if isinstance(value, date) else super().format_value(value)


class MonthField(forms.CharField):
    """A month written ``YYYY-MM``, cleaned to the first day of the month."""

    widget = MonthInput

    def to_python(self, value) -> date | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except PeriodError:
            raise ValidationError(
                _("Enter the month as YYYY-MM, for example 2026-10."), code="invalid"
            ) from None


class IndicatorForm(forms.Form):
    """An indicator's names, direction, unit, valid range and responsible department."""

    name_zh = _model_field("name_zh")
    name_en = _model_field("name_en")
    direction = forms.ChoiceField(
        label=capfirst(Indicator._meta.get_field("direction").verbose_name),
        choices=Direction.choices,
        widget=forms.RadioSelect,
    )
    unit = _model_field("unit")
    unit_en = _model_field("unit_en")
    min_value = _model_field("min_value")
    max_value = _model_field("max_value")
    department = _model_field("department")
    department_en = _model_field("department_en")

    def details(self) -> IndicatorFields:
        data = self.cleaned_data
        return IndicatorFields(**{name: data[name] for name in IndicatorFields.names()})

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        initial = {name: getattr(indicator, name) for name in IndicatorFields.names()}
        for name in ("min_value", "max_value"):  # 100, not 100.0
            if float(initial[name]).is_integer():
                initial[name] = int(initial[name])
        return initial


class AddIndicatorForm(IndicatorForm):
    code = forms.CharField(
        label=capfirst(Indicator._meta.get_field("code").verbose_name),
        max_length=Indicator._meta.get_field("code").max_length,
        help_text=_(
            "How import and weight files name it: lower-case letters, digits and underscores. "
            "It cannot be changed later."
        ),
    )
    active_from = MonthField(
        label=_("In force from (month)"),
        help_text=_("The first month it counts, YYYY-MM."),
    )

    field_order = ["code", "active_from"]


class RetireIndicatorForm(forms.Form):
    retired_from = MonthField(
        label=_("Retire from (month)"),
        help_text=_("The first month it no longer counts, YYYY-MM."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
