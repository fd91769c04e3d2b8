"""Handing a job (a row id) to Celery without making the caller wait on the broker.

In eager mode (no broker) the task runs right here. With a broker the message is
published from a background thread: a down or hung Redis costs that thread its socket
timeout, never a web request. If publishing fails the job's row stays as it is and the
beat sweep sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from celery import Task
from django.db import connections

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
