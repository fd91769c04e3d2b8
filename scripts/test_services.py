#!/usr/bin/env python3
"""Point the test suite at this machine's PostgreSQL and Redis when they answer.

Usage: test_services.py -- COMMAND ...

Sets DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (for the real-worker test)
for COMMAND when the services are reachable. Locally, a missing service means
the suite runs on SQLite and the worker test is skipped; under CI=true a
missing service is an error and COMMAND does not run.
"""

from __future__ import annotations

import os
import socket
import sys

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))
DEFAULT_DATABASE_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/station_map"


def postgres_answers() -> str | None:
    """None when PostgreSQL accepts a connection, else the reason."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", connect_timeout=3
        ) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} did not answer: {exc}"
    return None


def redis_answers() -> str | None:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(16)
    except OSError as exc:
        return f"Redis at {REDIS_HOST}:{REDIS_PORT} did not answer: {exc}"
    if not reply.startswith(b"+PONG"):
        return f"Redis at {REDIS_HOST}:{REDIS_PORT} answered {reply!r}"
    return None


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    in_ci = os.environ.get("CI", "").lower() == "true"
    environment = dict(os.environ)
    problems = []

    if not environment.get("DATABASE_URL"):
        reason = postgres_answers()
        if reason is None:
            environment["DATABASE_URL"] = DEFAULT_DATABASE_URL
        else:
            problems.append(reason)
    if not environment.get("TEST_REDIS_URL"):
        reason = redis_answers()
        if reason is None:
            environment["TEST_REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
        else:
            problems.append(reason)

    for problem in problems:
        print(f"test_services: {problem}", file=sys.stderr)
    if problems and in_ci:
        print("test_services: CI=true needs PostgreSQL and Redis; failing.", file=sys.stderr)
        return 1
    database = environment.get("DATABASE_URL", "SQLite (embedded default)")
    print(f"test_services: database {database.split('@')[-1]}", file=sys.stderr)
    print(
        f"test_services: worker test broker {environment.get('TEST_REDIS_URL', 'none (skipped)')}",
        file=sys.stderr,
    )
    os.execvpe(command[0], command, environment)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv))
