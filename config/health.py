"""/healthz for load balancers and docker-compose: answers within about two seconds,
whatever the database and Redis do.

Each service is checked in its own thread and waited for at most ``CHECK_SECONDS``: a
hung PostgreSQL or Redis (process stopped, socket open) would otherwise hold the check,
and the web worker answering it, for as long as the socket allows. The database is
required (503 without it); Redis only delays recomputes and empties the cache, so the
site is "degraded" but still serves pages (200).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

CHECK_SECONDS = 2.0


def _database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connections.close_all()  # this thread's own connection


def _redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=CHECK_SECONDS / 2, socket_connect_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()


def _state(check: Callable[[], None]) -> Callable[[], str]:
    """Start ``check`` in a thread now; the returned function waits for it (bounded)
    and says "ok", "unreachable" or "timeout"."""
    outcome: list[str] = []

    def run() -> None:
        try:
            check()
            outcome.append("ok")
        except Exception:
            outcome.append("unreachable")

    thread = threading.Thread(target=run, name="healthz", daemon=True)
    thread.start()

    def wait() -> str:
        thread.join(CHECK_SECONDS)
        return outcome[0] if outcome else "timeout"

    return wait


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _state(_database)}
    if settings.REDIS_URL:
        checks["redis"] = _state(_redis)
    states = {name: wait() for name, wait in checks.items()}
    if states["database"] != "ok":
        return JsonResponse({"status": "error", **states}, status=503)
    if any(state != "ok" for state in states.values()):
        return JsonResponse({"status": "degraded", **states})
    return JsonResponse({"status": "ok"})
