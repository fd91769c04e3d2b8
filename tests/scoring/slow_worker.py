"""A Celery worker whose scoring is slow, for the worker-killed fault test.

Run as ``python -m tests.scoring.slow_worker`` with the environment of a worker
(DATABASE_URL, REDIS_URL). Before reading a month's inputs it touches the file named by
SLOW_WORKER_MARKER (so the test knows the run is under way) and then sleeps for
SLOW_WORKER_SECONDS: long enough to be killed mid-run. Only the test uses it; the
product has no such hook.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from scoring.services import runs  # noqa: E402

real_load_period_inputs = runs.load_period_inputs


def slow_load_period_inputs(*args, **kwargs):
    Path(os.environ["SLOW_WORKER_MARKER"]).touch()
    time.sleep(float(os.environ.get("SLOW_WORKER_SECONDS", "600")))
    return real_load_period_inputs(*args, **kwargs)


runs.load_period_inputs = slow_load_period_inputs

if __name__ == "__main__":
    from config.celery import app

    app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "--without-heartbeat"])
