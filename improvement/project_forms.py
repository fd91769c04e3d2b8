"""Forms of the secretary-project pages: they parse what was typed; the rules (a goal
above the baseline, one active project per indicator …) are checked by
``improvement.services``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from improvement.progress_text import STATUS_LABELS
from improvement.services import PROJECT_GOAL_GRADES, ProjectFields
from indicators.forms import MonthField


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors next to their fields (on the form when it has no such field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


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
    goal_grade = forms.ChoiceField(label=_("At least"), choices=PROJECT_GOAL_GRADES)
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


class ProjectCheckInForm(forms.Form):
    note = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    new_status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("no change")), *STATUS_LABELS.items()],
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), required=False, max_length=200)
    due_month = MonthField(label=_("Due month"))
