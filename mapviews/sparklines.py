"""The months' sparkline of a station with its words: the drawing from ``charts.sparkline``,
the last grade's short label on its badge and a summary for screen readers and the
tooltip, so that neither the dots' nor the badge's colour is needed to read it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from indicators.periods import add_months, format_period
from mapviews.charts import sparkline
from mapviews.text import list_separator
from scoring.grades import grade_display


def labelled_sparkline(last_month: date, scores: list[float | None], grades: list[str]) -> dict:
    """The sparkline of the months up to ``last_month`` (one score and grade each, oldest
    first), with ``label`` (the last scored month's short grade label) and ``title``
    ("Last 12 months: 2026-09 61.20 Blue · Average, …")."""
    line = sparkline(scores, grades)
    count = len(scores)
    months = [add_months(last_month, -k) for k in range(count - 1, -1, -1)]
    shown = [
        f"{format_period(when)} {score:.2f} {grade_display(grade).label}"
        for when, score, grade in zip(months, scores, grades, strict=True)
        if score is not None
    ]
    if line["last"] is not None:
        line["label"] = grade_display(line["last"]["grade"]).short_name
    line["title"] = _("Last %(months)d months: %(scores)s") % {
        "months": count,
        "scores": list_separator().join(shown) or "–",
    }
    return line
