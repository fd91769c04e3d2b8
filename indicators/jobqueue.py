"""Background jobs recorded as rows (score runs, import jobs): sending and leases.

- ``publish_soon`` hands a job (a row id) to Celery without making the caller wait on
  the broker. In eager mode (no broker) the task runs right here. With a broker the
  message is published from a background thread: a down or hung Redis costs that thread
  its socket timeout, never a web request. If publishing fails the job's row stays as it
  is and the beat sweep sends it again.
- ``heartbeat`` renews a working job's ``heartbeat_at`` while a worker holds it, so the
  sweep can tell a worker that works from one that died: a job silent for ``lease()``
  is sent again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

from celery import Task
from django.conf import settings
from django.db import connection, connections, models
from django.utils import timezone

logger = logging.getLogger(__name__)


def publish_soon(task: Task, row_id: int, *, sent: Callable[[int], None]) -> None:
    """Send ``task(row_id)``; call ``sent(row_id)`` once the broker has it."""
    if task.app.conf.task_always_eager:
        _publish(task, row_id, sent)
    else:
        _publisher().submit(_publish_in_background, task, row_id, sent)


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


@contextmanager
def heartbeat(model: type[models.Model], row_id: int, *, working: Iterable[str]) -> Iterator[None]:
    """Renew row ``row_id``'s ``heartbeat_at`` from a thread while the block runs and the
    row's status is one of ``working``. SQLite serialises writers, so a heartbeat there
    would only wait: none is sent (the embedded default runs jobs eagerly anyway)."""
    if connection.vendor == "sqlite":
        yield
        return
    statuses = list(working)
    stop = threading.Event()
    every = lease().total_seconds() / 4

    def renew() -> None:
        try:
            while not stop.wait(every):
                model._default_manager.filter(pk=row_id, status__in=statuses).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed heartbeat only risks a twin delivery
            logger.warning("Heartbeat of %s %s stopped", model.__name__, row_id, exc_info=True)
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
