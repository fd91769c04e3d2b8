"""The sentence a month's pages show when its published grades are a re-grade
(``scoring.selectors.regrade_note``): in the page (``scoring/_regraded.html``, with links
to the versions for those who may open them), the widget (short) and the map's month
data (plain text)."""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from scoring.selectors import RegradeNote


def regrade_sentence(note: RegradeNote, user=None) -> SafeString:
    """ "This month was re-graded on 2026-12-04 under weights v3 and grading rules v2
    (before: weights v2 and the default grading rules)."; each version a link when
    ``user`` may open its page."""
    day = _day(note)
    pieces = {
        "date": conditional_escape(day),
        "weights": _weights(note.weights, user),
        "rules": _rules(note.method, user),
        "old_weights": _weights(note.weights_before, user),
        "old_rules": _rules(note.method_before, user),
    }
    if day:
        text = gettext(
            "This month was re-graded on %(date)s under %(weights)s and %(rules)s "
            "(before: %(old_weights)s and %(old_rules)s)."
        )
    else:
        text = gettext(
            "This month was re-graded under %(weights)s and %(rules)s "
            "(before: %(old_weights)s and %(old_rules)s)."
        )
    return mark_safe(conditional_escape(text) % pieces)


def regrade_plain_text(note: RegradeNote) -> str:
    """The sentence without links or markup (the map's month data)."""
    return html.unescape(strip_tags(regrade_sentence(note)))


def regrade_short(note: RegradeNote) -> str:
    """The widget's line: "Re-graded on 2026-12-04"."""
    day = _day(note)
    return gettext("Re-graded on %(date)s") % {"date": day} if day else gettext("Re-graded")


def _day(note: RegradeNote) -> str:
    return timezone.localdate(note.at).isoformat() if note.at else ""


def _weights(number: int | None, user) -> SafeString:
    if number is None:
        return mark_safe("–")
    label = gettext("weights v%(number)s") % {"number": number}
    if user is not None and user.has_perm("scoring.view_weightset"):
        url = reverse("scoring:weight_detail", args=[number])
        return format_html('<a href="{}">{}</a>', url, label)
    return conditional_escape(label)


def _rules(number: int | None, user) -> SafeString:
    if number is None:
        return conditional_escape(gettext("the default grading rules"))
    label = gettext("grading rules v%(number)s") % {"number": number}
    if user is not None and user.has_perm("scoring.view_methodversion"):
        url = reverse("scoring:method_detail", args=[number])
        return format_html('<a href="{}">{}</a>', url, label)
    return conditional_escape(label)


def changed_versions_text(
    weights: int | None, method: int | None, weights_before: int | None, method_before: int | None
) -> str:
    """What a re-grade changed, plain: "weights v3", "grading rules v2", or both ("weights
    v3 and grading rules v2"); both when neither is recorded as changed."""
    weights_text = str(_weights(weights, None))
    rules_text = str(_rules(method, None))
    if weights != weights_before and method == method_before:
        return html.unescape(weights_text)
    if method != method_before and weights == weights_before:
        return html.unescape(rules_text)
    return html.unescape(
        gettext("%(weights)s and %(rules)s") % {"weights": weights_text, "rules": rules_text}
    )
