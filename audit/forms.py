from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.selectors import SYSTEM_ACTOR


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ChoiceField(label=_("By"), required=False)
    date_from = forms.DateField(label=_("First day"), required=False, widget=DayInput())
    date_to = forms.DateField(label=_("Last day"), required=False, widget=DayInput())

    def __init__(self, *args, actor_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *Action.choices]
        self.fields["actor"].choices = [
            ("", _("Everyone")),
            (SYSTEM_ACTOR, _("system / command line")),
            *((name, name) for name in actor_names),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The last day is before the first day."))
        return cleaned
