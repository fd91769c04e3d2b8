"""Receivers of other apps' signals (connected in ``ImprovementConfig.ready``)."""

from __future__ import annotations


def queue_grade_drop_notices(sender, *, run_id: int, **kwargs) -> None:
    """New grades were published (``scoring.signals.grades_published``): hand the notices
    of their drops to a worker (without a broker they are written right here)."""
    from improvement.tasks import notify_grade_drops

    notify_grade_drops.delay(run_id)
