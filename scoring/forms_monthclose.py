"""The month close's forms: the company's rules, an objection, an answer."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from scoring.engine.monthclose import MIN_REASON_LENGTH


class MonthRulesForm(forms.Form):
    due_day = forms.IntegerField(
        label=_("Data due by day"),
        min_value=1,
        max_value=28,
        help_text=_("A month's values are due by this day of the following month (1–28)."),
    )
    review_days = forms.IntegerField(label=_("Review window (days)"), min_value=0, max_value=60)
    hold_new_months = forms.BooleanField(
        label=_("Hold new months for review (provisional until closed)"), required=False
    )


class CloseMonthForm(forms.Form):
    """Closing is for good: the administrator ticks that they mean it."""

    confirm = forms.BooleanField(
        label=_("I understand that closing makes this month's grades final for good"),
        error_messages={
            "required": _("Tick the box to confirm that the month is closed for good.")
        },
    )


#: The longest reason an objection may give.
MAX_REASON_LENGTH = 2000


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the grade wrong?"),
        min_length=MIN_REASON_LENGTH,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(
            _("At least {least} and at most {most} characters."),
            least=MIN_REASON_LENGTH,
            most=MAX_REASON_LENGTH,
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # the label ends in a question mark: no "："
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("Reply to the station"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
