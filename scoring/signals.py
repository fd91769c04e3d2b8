"""What the scoring app tells the rest of the project. It imports no other app: an app that
wants to act on new grades connects a receiver here (``improvement`` does, in its
``AppConfig.ready``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

from scoring.models import ScoreRun

logger = logging.getLogger(__name__)

#: A month's grades were published with new scores: sent once the transaction that made
#: the run current has committed, with ``company_id``, ``period`` (the first day of the
#: month) and ``run_id``. Not sent for a run that found the data unchanged, nor for a
#: re-grade left waiting for review (it is sent when an administrator publishes it).
grades_published = Signal()


def announce_published(*, company_id: int, period, run_id: int) -> None:
    """Send ``grades_published`` when the current transaction commits (never for one that
    rolls back). A failing receiver is logged and does not undo the publication."""

    def send() -> None:
        for receiver, outcome in grades_published.send_robust(
            sender=ScoreRun, company_id=company_id, period=period, run_id=run_id
        ):
            if isinstance(outcome, Exception):
                logger.error(
                    "A receiver of grades_published failed for run %s: %r",
                    run_id,
                    receiver,
                    exc_info=outcome,
                )

    transaction.on_commit(send)


#: An administrator answered a station's objection (accepted or rejected): sent once the
#: transaction commits, with ``objection_id``. ``improvement`` tells the station.
objection_answered = Signal()


def announce_objection_answered(objection_id: int) -> None:
    def send() -> None:
        for receiver, outcome in objection_answered.send_robust(
            sender=ScoreRun, objection_id=objection_id
        ):
            if isinstance(outcome, Exception):
                logger.error(
                    "A receiver of objection_answered failed for objection %s: %r",
                    objection_id,
                    receiver,
                    exc_info=outcome,
                )

    transaction.on_commit(send)
