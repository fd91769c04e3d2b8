"""Receivers of other apps' signals (connected in ``ImprovementConfig.ready``)."""

from __future__ import annotations


def queue_grade_drop_notices(sender, *, run_id: int, **kwargs) -> None:
    """New grades were published (``scoring.signals.grades_published``): hand the notices
    of their drops to a worker (without a broker they are written right here)."""
    from improvement.tasks import notify_grade_drops

    notify_grade_drops.delay(run_id)


def queue_regrade_notices(sender, *, run_id: int, **kwargs) -> None:
    """New grades were published: when they re-grade the month (other weight or method
    versions than the grades they replaced), hand the notices of the stations whose colour
    changed to a worker (it does nothing for a run that is no re-grade)."""
    from improvement.tasks import notify_regrade

    notify_regrade.delay(run_id)
