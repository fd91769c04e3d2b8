"""Forms of the improvement work: they parse what was typed; the rules are checked by
``improvement.services``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from improvement.models import GOAL_GRADES, Cause, CheckIn, Measure, MeasureStatus
from improvement.services import (
    IndicatorCause,
    MeasureFields,
    ProjectFields,
)
from indicators.forms import MonthField
from indicators.models import Indicator


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form: each message next to its field, on the
    form itself when the form has no such field or the error names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class MeasureForm(forms.Form):
    """What, who, by when, and for each indicator in force: whether the measure works on
    it, and why it lags (``use_<code>``, ``cause_<code>``, ``note_<code>``)."""

    title = forms.CharField(label=_label(Measure, "title"), max_length=200)
    owner = forms.CharField(label=_label(Measure, "owner"), max_length=100)
    due_month = MonthField(label=_label(Measure, "due_month"))
    details = forms.CharField(
        label=_label(Measure, "details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
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


class CheckInForm(forms.Form):
    """A dated note, optionally changing the status (choices given by the caller)."""

    note = forms.CharField(label=_label(CheckIn, "note"), widget=forms.Textarea(attrs={"rows": 3}))
    new_status = forms.ChoiceField(label=_("Change the status to"), required=False)

    def __init__(self, *args, statuses=MeasureStatus.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [("", _("(unchanged)")), *statuses]


# --- Secretary projects -----------------------------------------------------------------


class SecretaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.username


class ProjectForm(forms.Form):
    """A project's fields; ``with_scope`` adds the indicator and the first month (a new
    project, or one nobody has checked in on yet)."""

    # Title, secretary and plan are checked by the service, so that their messages come
    # with the others (a goal already met …) in one round instead of two.
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    secretary = SecretaryChoiceField(
        label=_("Secretary"),
        queryset=None,
        required=False,
        empty_label=_("Choose the secretary"),
    )
    indicator = forms.ChoiceField(label=_("Indicator"))
    start_month = MonthField(
        label=_("First month"),
        help_text=_("The first month whose data counts; the month before it is the baseline."),
    )
    goal_grade = forms.ChoiceField(label=_("At least"), choices=GOAL_GRADES)
    goal_month = MonthField(label=_("By the month"))
    plan = forms.CharField(
        label=_("Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What will be done, by whom, and how it should move the indicator."),
    )

    def __init__(self, *args, secretaries, indicator_codes=(), with_scope=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretary"].queryset = secretaries
        if with_scope:
            self.fields["indicator"].choices = [(code, code) for code in indicator_codes]
        else:
            del self.fields["indicator"]
            del self.fields["start_month"]

    def project_fields(self) -> ProjectFields:
        data = self.cleaned_data
        return ProjectFields(
            title=data["title"],
            plan=data["plan"],
            goal_grade=data["goal_grade"],
            goal_month=data["goal_month"],
            secretary=data["secretary"],
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), required=False, max_length=200)
    due_month = MonthField(label=_("Due month"))
