"""Re-grade notices: when a published month is re-graded (its grades replaced by grades
under other weight or method versions, ``ScoreRun.regraded_from``), tell each station whose
colour changed, up or down, to its secretaries and to the party committee (the people
told of grade drops, ``notices.recipients``), in the site and by e-mail.

Any month counts, not only the newest: a re-grade rewrites what a station was told of
that month. A station graded on one side only (ungraded on the other) is told too; one
that had no row in the replaced grades (new to the month since) is not. Idempotent
under at-least-once delivery: a re-grade notice is unique per user, station and run, so
a second delivery adds nothing, and a month re-graded twice tells twice (each re-grade
once). The notice keeps the event as published
(grades, scores, ranks, versions); its text is written in the reader's language when
shown (``improvement.text.notices``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import ngettext

from improvement.models import Notification, NotificationKind
from improvement.noticecount import notices_changed
from improvement.services.notices import (
    NoticeOutcome,
    mail_each_user,
    notice_message,
    recipients,
)
from scoring.models import ScoreRun, StationScore


def notify_regrade(*, run_id: int) -> NoticeOutcome:
    """Create the notices of a published re-grade's colour changes and e-mail those not
    mailed yet. Nothing for a run that is no re-grade or no longer published."""
    run = (
        ScoreRun.objects.filter(pk=run_id, is_current=True, regraded_from__isnull=False)
        .select_related(
            "weight_set",
            "method_version",
            "regraded_from__weight_set",
            "regraded_from__method_version",
        )
        .first()
    )
    if run is None:
        return NoticeOutcome(0, 0, 0)
    changes = colour_changes(run)
    if not changes:
        return NoticeOutcome(0, 0, 0)
    created = _create_notices(run, changes)
    emailed = mail_regrade(run_id=run.pk)
    return NoticeOutcome(len(changes), created, emailed)


def colour_changes(run: ScoreRun) -> dict[int, dict]:
    """Station id → what a notice stores, for each station whose grade in the re-grade
    differs from its grade in the run it replaced."""
    before_run = run.regraded_from
    assert before_run is not None
    columns = ("station_id", "grade", "score", "rank")
    before = {
        row[0]: row for row in StationScore.objects.filter(run=before_run).values_list(*columns)
    }
    versions = {
        "weights": _number(run.weight_set),
        "method": _number(run.method_version),
        "weights_before": _number(before_run.weight_set),
        "method_before": _number(before_run.method_version),
    }
    changes = {}
    for station_id, grade, score, rank in StationScore.objects.filter(run=run).values_list(
        *columns
    ):
        old = before.get(station_id)
        if old is None or old[1] == grade:
            continue
        changes[station_id] = {
            "from": old[1],
            "to": grade,
            "from_score": old[2],
            "to_score": score,
            "from_rank": old[3],
            "to_rank": rank,
            "run": run.pk,
            "previous_run": before_run.pk,
            **versions,
        }
    return changes


def _number(version) -> int | None:
    return version.version if version is not None else None


def _create_notices(run: ScoreRun, changes: dict[int, dict]) -> int:
    """Add the notices not there yet; returns how many were added."""
    wanted = {
        (user_id, station_id)
        for station_id, user_ids in recipients(run.company_id, list(changes)).items()
        for user_id in user_ids
    }
    existing = set(
        Notification.objects.filter(kind=NotificationKind.REGRADE, run=run).values_list(
            "user_id", "station_id"
        )
    )
    new = [
        Notification(
            user_id=user_id,
            kind=NotificationKind.REGRADE,
            station_id=station_id,
            period=run.period,
            run=run,
            data=changes[station_id],
        )
        for user_id, station_id in sorted(wanted - existing)
    ]
    # ignore_conflicts: a twin delivery may have added some since the read above.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    notices_changed()  # bulk_create sends no post_save: the header's counts
    return len(new)


def mail_regrade(*, run_id: int) -> int:
    """One e-mail per user listing the colour changes of the re-grade not mailed yet, in
    the site's language (like the drop notices: nothing without ``EMAIL_HOST``)."""
    if not settings.EMAIL_HOST:
        return 0
    pending = Notification.objects.filter(kind=NotificationKind.REGRADE, run_id=run_id)
    return mail_each_user(pending, _regrade_message, what=f"the re-grade of run {run_id}")


def _regrade_message(user, notices: list[Notification], connection) -> EmailMessage:
    return notice_message(
        user,
        notices,
        connection,
        template="improvement/email/regrade.txt",
        subject=lambda count, month: (
            ngettext(
                "Five-colour map: %(month)s re-graded, %(count)d station changed colour",
                "Five-colour map: %(month)s re-graded, %(count)d stations changed colour",
                count,
            )
            % {"count": count, "month": month}
        ),
    )
