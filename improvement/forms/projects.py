"""The forms of a secretary's improvement project and its milestones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.models import GOAL_GRADES
from improvement.services import ProjectFields
from indicators.forms import MonthField


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
