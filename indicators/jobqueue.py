"""Background jobs recorded as rows (score runs, import jobs): sending and leases.

- ``publish_soon`` hands a job (a row id) to Celery without making the caller wait on
  the broker. In eager mode (no broker) the task runs right here. With a broker the
  message is published from a background thread: a down or hung Redis costs that thread
  its socket timeout, never a web request. If publishing fails the job's row stays as it
  is and the beat sweep sends it again.
- ``heartbeat`` renews a working job's ``heartbeat_at`` while a worker holds it, so the
  sweep can tell a worker that works from one that died: a job silent for ``lease()``
  is sent again.
- ``claim`` takes a queued job, or one whose worker is ``silent``, for this worker and
  returns the attempt that owns it; ``owned`` fences every later write by that attempt,
  and ``release`` gives the job back before a retry.
- ``left_behind`` says which rows a beat sweep sends again: never sent (the broker was
  down), sent but never picked up, or whose worker died.

A job's row has ``status``, ``created_at``, ``enqueued_at``, ``started_at`` and
``heartbeat_at`` (``ScoreRun``, ``ImportBatch``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from celery import Task
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

#: A job that never reached the broker (Redis was down) is sent again by the next sweep
#: once this has passed: its own publish may still be under way until then.
RESEND_UNSENT_AFTER = timedelta(seconds=20)
#: A job handed to the broker but not picked up after this long is sent again.
REQUEUE_AFTER = timedelta(minutes=5)


def publish_soon(task: Task, row_id: int, *, sent: Callable[[int], None]) -> None:
    """Send ``task(row_id)``; call ``sent(row_id)`` once the broker has it."""
    if task.app.conf.task_always_eager:
        _publish(task, row_id, sent)
    else:
        _publisher().submit(_publish_in_background, task, row_id, sent)


def publish_group_soon(task: Task, arguments: list[list], *, sent: Callable[[], None]) -> None:
    """Send ``task(*args)`` for each of ``arguments`` as one Celery ``group`` (its tasks
    run in parallel on the workers), as ``publish_soon`` sends one; ``sent()`` once the
    broker has them. If publishing fails the rows stay as they are for the sweep."""
    if not arguments:
        return
    if task.app.conf.task_always_eager:
        _publish_group(task, arguments, sent)
    else:
        _publisher().submit(_publish_group_in_background, task, arguments, sent)


def _publish_group_in_background(task: Task, arguments: list[list], sent) -> None:
    try:
        _publish_group(task, arguments, sent)
    finally:
        connections.close_all()


def _publish_group(task: Task, arguments: list[list], sent: Callable[[], None]) -> None:
    from celery import group

    try:
        group(task.si(*args) for args in arguments).apply_async()
    except Exception:
        logger.warning("Could not run or enqueue a group of %s", task.name, exc_info=True)
        return
    sent()


@cache
def _publisher() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-job")


def _publish_in_background(task: Task, row_id: int, sent: Callable[[int], None]) -> None:
    try:
        _publish(task, row_id, sent)
    finally:
        connections.close_all()  # this thread's own database connections


def _publish(task: Task, row_id: int, sent: Callable[[int], None]) -> None:
    try:
        task.apply_async(args=[row_id])
    except Exception:  # the broker is down or hung (or, eagerly, the task failed)
        logger.warning("Could not run or enqueue %s(%s)", task.name, row_id, exc_info=True)
        return
    sent(row_id)


def lease() -> timedelta:
    """How long a working job's worker may stay silent before the job counts as lost.
    Its worker renews ``heartbeat_at`` four times in that span."""
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def claim(
    model: type[models.Model], row_id: int, *, queued: str, working: Iterable[str], status: str
) -> int | None:
    """Take a job for this worker, moving it to ``status``: a queued row, or a working row
    whose worker has not been seen for a lease (it died). Returns the attempt number that
    now owns the job, which later writes are fenced by (``owned``), or None when the job
    is not this worker's to run: finished, gone, or held by a live worker."""
    now = timezone.now()
    takeable = Q(status=queued) | silent(working, now)
    with transaction.atomic():
        rows = model._default_manager.select_for_update().filter(takeable, pk=row_id)
        attempts = rows.values_list("attempts", flat=True).first()
        if attempts is None:
            return None
        model._default_manager.filter(pk=row_id).update(
            status=status, started_at=now, heartbeat_at=now, attempts=attempts + 1
        )
    return attempts + 1


def owned(row_id: int, attempt: int, working: Iterable[str]) -> Q:
    """The job's row while the worker that claimed it as ``attempt`` still holds it."""
    return Q(pk=row_id, attempts=attempt, status__in=list(working))


def release(
    model: type[models.Model], row_id: int, attempt: int, *, queued: str, working: Iterable[str]
) -> None:
    """Give a job back to the queue (its task is about to retry after a database error),
    so that the retry can claim it at once. When even that fails, the sweep sends the job
    again once its heartbeat is a lease old."""
    try:
        model._default_manager.filter(owned(row_id, attempt, working)).update(
            status=queued, heartbeat_at=None
        )
    except Exception:
        logger.warning("Could not release %s %s", model.__name__, row_id, exc_info=True)


@contextmanager
def heartbeat(
    model: type[models.Model],
    row_id: int,
    *,
    working: Iterable[str],
    attempt: int,
) -> Iterator[None]:
    """Renew row ``row_id``'s ``heartbeat_at`` from a thread while the block runs and the
    row is still this worker's (one of the ``working`` states; claimed as ``attempt``).
    A failed renewal is logged and tried again at the next beat. SQLite serialises
    writers, so a heartbeat there would only wait: none is sent (the embedded default
    runs jobs eagerly anyway)."""
    if connection.vendor == "sqlite":
        yield
        return
    mine = owned(row_id, attempt, working)
    stop = threading.Event()
    every = lease().total_seconds() / 4

    def renew() -> None:
        try:
            while not stop.wait(every):
                try:
                    model._default_manager.filter(mine).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat only risks a twin delivery
                    logger.warning(
                        "Heartbeat of %s %s failed", model.__name__, row_id, exc_info=True
                    )
                    connection.close_if_unusable_or_obsolete()
        finally:
            connections.close_all()  # this thread's own connection

    name = f"{model.__name__.lower()}-{row_id}-heartbeat"
    thread = threading.Thread(target=renew, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every)


@dataclass(frozen=True)
class LeftBehind:
    """Filters for a sweep: ``silent`` working rows (their worker was not seen for a
    lease: to give up on once their attempts are spent) and the rows to ``resend``."""

    silent: Q
    resend: Q


def silent(working: Iterable[str], now: datetime) -> Q:
    """Working rows whose worker has not been seen for a lease: it died."""
    since = now - lease()
    return Q(status__in=list(working)) & (
        Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
    )


def left_behind(*, queued: str, working: Iterable[str], now: datetime) -> LeftBehind:
    silence = lease()
    lost = silent(working, now)
    never_sent = Q(
        status=queued, enqueued_at__isnull=True, created_at__lt=now - RESEND_UNSENT_AFTER
    )
    not_picked_up = Q(status=queued, enqueued_at__lt=now - REQUEUE_AFTER)
    # A dead worker's job is sent once a lease: not again while that delivery waits.
    worker_lost = lost & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - silence))
    return LeftBehind(silent=lost, resend=never_sent | not_picked_up | worker_lost)
