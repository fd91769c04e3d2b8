"""The admin's forms for a new weight version, a new grading-rule version and new targets."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.periods import parse_period
from scoring.engine import ScoringMethod
from scoring.engine.grades import GRADE_ORDER
from scoring.engine.method import (
    GOALPOSTS,
    MINMAX,
    NATURAL_BREAKS,
    PERCENTILE,
    QUOTAS,
    THRESHOLDS,
    ZSCORE,
)
from scoring.goalposts import target_error
from scoring.grades import grade_display
from scoring.targets import seeded_goalposts
from scoring.weightfile import WEIGHT_DECIMALS, WEIGHT_MAX, weights_total_error


class VersionForm(forms.Form):
    """What every new version needs: the month it governs from, and why."""

    effective_from = forms.CharField(
        label=gettext_lazy("Effective from (month)"),
        max_length=7,
        help_text=gettext_lazy("YYYY-MM. That month and every later one is graded by it."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Recorded with the version and shown in its history."),
        error_messages={"required": gettext_lazy("Say why: the reason is kept with the version.")},
    )

    def clean_effective_from(self) -> date:
        text = self.cleaned_data["effective_from"].strip()
        try:
            return parse_period(text)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s is not a month: write it as YYYY-MM, e.g. 2026-11.") % {"value": text}
            ) from None


class WeightsForm(VersionForm):
    """The weight of each indicator (0 or more, at most 2 decimals), not all 0: each
    counts by its share of the total (``weightfile``)."""

    field_order = ["effective_from"]

    def __init__(self, *args, indicators: list[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[self.field_name(indicator.code)] = forms.DecimalField(
                label=indicator.name,
                min_value=0,
                max_value=WEIGHT_MAX,
                max_digits=6,
                decimal_places=WEIGHT_DECIMALS,
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "weight-input"}),
            )
        self.order_fields(["effective_from", *self.weight_fields(), "reason"])

    @staticmethod
    def field_name(code: str) -> str:
        return f"weight_{code}"

    def weight_fields(self) -> list[str]:
        return [self.field_name(indicator.code) for indicator in self.indicators]

    def bound_weight_fields(self) -> list:
        return [self[name] for name in self.weight_fields()]

    def clean(self) -> dict:
        cleaned = super().clean()
        weights = self.weights()
        if weights is not None:
            error = weights_total_error(weights)
            if error:
                raise forms.ValidationError(error)
        return cleaned

    def weights(self) -> dict[str, Decimal] | None:
        """Indicator code → weight, once every weight field is valid."""
        values = {}
        for indicator in self.indicators:
            value = self.cleaned_data.get(self.field_name(indicator.code))
            if value is None:
                return None
            values[indicator.code] = value
        return values


class OwnMethodForm(forms.Form):
    """A company's switch between its own weights and grading rules and the common ones
    of the units above it (``scoring.services.set_own_method``), with the reason the
    audit trail keeps."""

    own = forms.TypedChoiceField(
        choices=[("1", "own"), ("0", "inherit")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("Choose own or common method.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Recorded in the audit trail."),
        error_messages={
            "required": gettext_lazy("Say why: the reason is kept in the audit trail.")
        },
    )


#: The normalisations the grading-rule form offers (the others: ``manage.py set_method``).
NORMALISATION_CHOICES = [
    (GOALPOSTS, gettext_lazy("Absolute: each indicator against its floor and target")),
    (MINMAX, gettext_lazy("Relative: against the month's best and worst station (min-max)")),
]
OTHER_NORMALISATIONS = {
    ZSCORE: gettext_lazy("As now: z-scores (set with manage.py set_method)"),
    PERCENTILE: gettext_lazy("As now: percentile ranks (set with manage.py set_method)"),
}


class GradingForm(VersionForm):
    """Whether indicators are scored absolutely or relatively, how the score gives the
    five colours, and the data coverage a grade needs. The method's other settings
    (the targets, missing data, caps, …) are kept."""

    normalisation = forms.ChoiceField(
        label=gettext_lazy("Scoring of each indicator"),
        choices=NORMALISATION_CHOICES,
        widget=forms.RadioSelect,
    )
    grading = forms.ChoiceField(
        label=gettext_lazy("Grading"),
        choices=[
            (
                THRESHOLDS,
                gettext_lazy("Fixed score thresholds: a colour is a level of management"),
            ),
            (QUOTAS, gettext_lazy("League table: a fixed share of stations per colour")),
            (NATURAL_BREAKS, gettext_lazy("Natural breaks: groups of similar scores")),
        ],
        widget=forms.RadioSelect,
    )
    coverage_min_pct = forms.DecimalField(
        label=gettext_lazy("Minimum data coverage (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text=gettext_lazy(
            "A station is graded only when its indicators with data carry at least this "
            "share of the total weight."
        ),
    )

    def __init__(self, *args, method: ScoringMethod, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        if method.normalisation in OTHER_NORMALISATIONS:  # chosen from the command line
            self.fields["normalisation"].choices = [
                *NORMALISATION_CHOICES,
                (method.normalisation, OTHER_NORMALISATIONS[method.normalisation]),
            ]
        for grade in GRADE_ORDER:
            self.fields[f"quota_{grade}"] = forms.IntegerField(
                label=str(grade_display(grade).label),
                min_value=0,
                max_value=100,
                required=False,
            )
        for grade in GRADE_ORDER[:-1]:
            self.fields[f"threshold_{grade}"] = forms.DecimalField(
                label=str(grade_display(grade).label),
                min_value=0,
                max_value=100,
                decimal_places=2,
                required=False,
            )
        if not self.is_bound:
            self.initial.update(
                normalisation=method.normalisation,
                grading=method.grading,
                coverage_min_pct=method.coverage_min_pct,
                **{f"quota_{g}": q for g, q in zip(GRADE_ORDER, method.quotas_pct, strict=True)},
                **{
                    f"threshold_{g}": t
                    for g, t in zip(GRADE_ORDER, method.thresholds, strict=False)
                },
            )

    def quota_fields(self) -> list:
        return [self[f"quota_{grade}"] for grade in GRADE_ORDER]

    def threshold_fields(self) -> list:
        return [self[f"threshold_{grade}"] for grade in GRADE_ORDER[:-1]]

    def clean(self) -> dict:
        cleaned = super().clean()
        grading = cleaned.get("grading")
        if grading == QUOTAS:
            quotas = [cleaned.get(f"quota_{grade}") for grade in GRADE_ORDER]
            if any(q is None for q in quotas):
                raise forms.ValidationError(_("Give the share of every colour (0–100)."))
            if sum(quotas) != 100:
                raise forms.ValidationError(
                    _("The colour shares sum to %(total)s %%, not 100 %%.") % {"total": sum(quotas)}
                )
        if grading == THRESHOLDS:
            cuts = [cleaned.get(f"threshold_{grade}") for grade in GRADE_ORDER[:-1]]
            if any(c is None for c in cuts):
                raise forms.ValidationError(_("Give the score each colour starts at."))
            if any(a <= b for a, b in itertools.pairwise(cuts)):
                raise forms.ValidationError(
                    _("The scores must fall from red to green (red starts highest).")
                )
        return cleaned

    def new_method(self) -> ScoringMethod:
        """The current method with this form's normalisation, grading and coverage. Its
        targets (goalposts) are kept; absolute scoring without any starts from the seeded
        ones. Winsorising belongs to min-max and is dropped with it."""
        cleaned = self.cleaned_data
        normalisation = cleaned["normalisation"]
        changes: dict = {
            "normalisation": normalisation,
            "grading": cleaned["grading"],
            "coverage_min_pct": float(cleaned["coverage_min_pct"]),
        }
        if normalisation != MINMAX:
            changes["winsor_pct"] = None
        if normalisation == GOALPOSTS and not self.method.goalposts:
            active = Indicator.objects.filter(active=True).values_list("code", flat=True)
            changes["goalposts"] = seeded_goalposts(set(active))
        if cleaned["grading"] == QUOTAS:
            changes["quotas_pct"] = tuple(cleaned[f"quota_{g}"] for g in GRADE_ORDER)
        if cleaned["grading"] == THRESHOLDS:
            changes["thresholds"] = tuple(
                float(cleaned[f"threshold_{g}"]) for g in GRADE_ORDER[:-1]
            )
        return dataclasses.replace(self.method, **changes)


class TargetsForm(VersionForm):
    """Each indicator's floor (scores 0) and target (full marks), in its raw unit; each
    pair keeps ``scoring.goalposts.target_error``, said beside the indicator."""

    def __init__(self, *args, indicators: list[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            for part, label in (("floor", _("Floor")), ("target", _("Target"))):
                self.fields[self.field_name(part, indicator.code)] = forms.DecimalField(
                    label=f"{indicator.name}: {label}",
                    max_digits=14,
                    decimal_places=4,
                    widget=forms.NumberInput(attrs={"step": "any", "class": "target-input"}),
                )
        values = [name for name in self.fields if name not in ("effective_from", "reason")]
        self.order_fields(["effective_from", *values, "reason"])

    @staticmethod
    def field_name(part: str, code: str) -> str:
        return f"{part}_{code}"

    def rows(self) -> list[dict]:
        """One row per indicator: the indicator and its two bound fields."""
        return [
            {
                "indicator": indicator,
                "floor": self[self.field_name("floor", indicator.code)],
                "target": self[self.field_name("target", indicator.code)],
            }
            for indicator in self.indicators
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        for indicator in self.indicators:
            floor = cleaned.get(self.field_name("floor", indicator.code))
            target = cleaned.get(self.field_name("target", indicator.code))
            if floor is None or target is None:
                continue  # the field says why
            error = target_error(indicator, float(floor), float(target))
            if error:
                self.add_error(
                    self.field_name("target", indicator.code),
                    f"{indicator.name}: {error}",
                )
        return cleaned

    def targets(self) -> dict[str, tuple[float, float]]:
        """Indicator code → (floor, target), once the form is valid."""
        return {
            indicator.code: (
                float(self.cleaned_data[self.field_name("floor", indicator.code)]),
                float(self.cleaned_data[self.field_name("target", indicator.code)]),
            )
            for indicator in self.indicators
        }


def describe_normalisation(method: ScoringMethod) -> str:
    """Absolute or relative, in a few words."""
    if method.normalisation == GOALPOSTS:
        return _("absolute (each indicator from floor to target)")
    if method.normalisation == MINMAX and method.winsor_pct:
        return _("relative (winsorised min-max)")
    if method.normalisation == MINMAX:
        return _("relative (min-max)")
    if method.normalisation == ZSCORE:
        return _("relative (z-scores)")
    return _("relative (percentile ranks)")


def describe_grading(method: ScoringMethod) -> str:
    """One line: how this method scores indicators and turns scores into colours."""
    if method.grading == QUOTAS:
        shares = " / ".join(f"{q}" for q in method.quotas_pct)
        text = _("league table %(shares)s %%") % {"shares": shares}
    elif method.grading == THRESHOLDS:
        cuts = " / ".join(f"{t:g}" for t in method.thresholds)
        text = _("score thresholds %(cuts)s") % {"cuts": cuts}
    else:
        text = _("natural breaks")
    return _("%(normalisation)s; %(grading)s; coverage ≥ %(coverage)s %%") % {
        "normalisation": describe_normalisation(method),
        "grading": text,
        "coverage": f"{method.coverage_min_pct:g}",
    }
