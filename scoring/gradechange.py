"""A grade change that goes against the score change, read from stored runs and said in
words: the one place for the sentences every page and notice uses (the rule is
``scoring.engine.gradechange``)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.engine.gradechange import (
    CAP,
    NEW_RULES,
    OTHERS_IMPROVED_LESS,
    OTHERS_IMPROVED_MORE,
    PEER_GROUP,
    THRESHOLDS_MOVED,
    UNEXPLAINED,
    Contradiction,
    GradedMonth,
    contradiction,
)
from scoring.engine.method import QUOTAS, ScoringMethod
from scoring.models import ScoreRun

#: Why the grade went against the score, by reason code.
REASON_TEXTS = {
    OTHERS_IMPROVED_MORE: gettext_lazy(
        "relative grading (a fixed share per colour), and other stations improved more"
    ),
    OTHERS_IMPROVED_LESS: gettext_lazy(
        "relative grading (a fixed share per colour), and other stations improved less "
        "or fell further"
    ),
    CAP: gettext_lazy("a grading rule (cap) limits the grade"),
    NEW_RULES: gettext_lazy("graded under new weights or scoring rules from this month"),
    PEER_GROUP: gettext_lazy("graded within another peer group"),
    THRESHOLDS_MOVED: gettext_lazy(
        "the scores the colours start at moved (natural breaks are found anew each month)"
    ),
    UNEXPLAINED: gettext_lazy(
        "the grade depends on the other stations or on the month's grading rules, "
        "not on the score alone"
    ),
}


def _method(run: ScoreRun) -> ScoringMethod | None:
    try:
        return ScoringMethod.from_record(run.method_params or {})
    except (TypeError, ValueError):  # a record no method reads: compare it as it is
        return None


def graded_month(run: ScoreRun, grade: str, score: float | None, flags: dict | None) -> GradedMonth:
    """What the run recorded about one station's grade (``flags`` as stored)."""
    return graded_month_reader(run)(grade, score, flags)


def graded_month_reader(
    run: ScoreRun,
) -> Callable[[str, float | None, dict | None], GradedMonth]:
    """``graded_month`` for many stations of one run: the run's method and thresholds are
    read once (a month's drops are thousands of stations)."""
    method = _method(run)
    summary = run.summary or {}
    grading = method.grading if method else str((run.method_params or {}).get("grading", QUOTAS))
    versions = (run.weight_set_id, run.method_version_id, method or run.method)
    company_thresholds = summary.get("score_thresholds")
    peer_thresholds = summary.get("peer_score_thresholds")

    def read(grade: str, score: float | None, flags: dict | None) -> GradedMonth:
        flags = flags or {}
        group = flags.get("peer_group")
        thresholds = company_thresholds
        if group is not None and peer_thresholds:
            thresholds = peer_thresholds.get(group)
        return GradedMonth(
            grade=grade,
            score=score,
            grading=grading,
            versions=versions,
            capped=bool(flags.get("cap")),
            peer_group=None if group is None else str(group),
            thresholds=None if thresholds is None else tuple(thresholds),
        )

    return read


def score_contradiction(
    before: tuple[ScoreRun, str, float | None, dict | None],
    after: tuple[ScoreRun, str, float | None, dict | None],
) -> Contradiction | None:
    """The contradiction between two stored months of a station: each as (run, grade,
    score, flags)."""
    return contradiction(graded_month(*before), graded_month(*after))


def reason_text(reason: str) -> str:
    """Why, in the active language (an unknown code reads as unexplained)."""
    return str(REASON_TEXTS.get(reason, REASON_TEXTS[UNEXPLAINED]))


def contradiction_text(found: Contradiction | None) -> str:
    """The whole sentence: what moved which way, and why; empty for no contradiction."""
    if found is None:
        return ""
    return note_text(found.steps, found.score_direction, found.reason)


def note_text(steps: int, score_direction: int, reason: str) -> str:
    """ "The score rose but the grade fell: <why>." (``steps``: grades gained)."""
    if score_direction > 0:
        what = _("The score rose but the grade fell")
    elif score_direction < 0:
        what = _("The score fell but the grade rose")
    elif steps > 0:
        what = _("The score stayed the same but the grade rose")
    else:
        what = _("The score stayed the same but the grade fell")
    return _("%(what)s: %(why)s.") % {"what": what, "why": reason_text(reason)}
