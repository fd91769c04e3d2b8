#!/usr/bin/env python3
"""A real server for the benchmarks that go through HTTP (scripts/bench_load.py, bench_paint.py).

Two halves:

- ``prepare`` (run as ``benchsite.py prepare --size N``, in a process of its own because
  Django is set up once per process): the kept database bench_pages.py uses for that size
  (``test_<database>_pages_<N>``: migrated, then the demo at 60 stations or the generated
  company, built once and reused), logins that can be typed into the login form, and the
  pages of bench_pages' table. It prints them as JSON on its last line.
- ``serve``: gunicorn on that database, 2 sync workers, DEBUG off, the Redis cache (REDIS_URL
  is set for the server process only, so this process stays eager), static files from
  ``collectstatic`` as in production; stopped (its whole process group) when the block
  ends, whatever happens inside it.

PostgreSQL only: the database is found from DATABASE_URL, as for every benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The password the generated companies' users get (the demo's users have the demo's).
BENCH_PASSWORD = "bench-pages-2026"
WORKERS = 2
START_TIMEOUT = 60
STOP_TIMEOUT = 10
LOGIN_URL = "/accounts/login/"


@dataclass(frozen=True)
class Site:
    """What a prepared database offers: its name, a login per viewer, and the pages
    (page, viewer, url) of bench_pages' table, the login page first."""

    database: str
    stations: int
    logins: dict[str, tuple[str, str]]  # viewer -> (username, password)
    pages: list[tuple[str, str, str]]

    def to_json(self) -> str:
        return json.dumps(
            {
                "database": self.database,
                "stations": self.stations,
                "logins": self.logins,
                "pages": self.pages,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Site:
        data = json.loads(text)
        return cls(
            database=data["database"],
            stations=data["stations"],
            logins={viewer: tuple(login) for viewer, login in data["logins"].items()},
            pages=[tuple(page) for page in data["pages"]],
        )


def database_url(base_url: str, name: str) -> str:
    """``base_url`` (DATABASE_URL) pointing at database ``name`` instead."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path="/" + name))


# --- prepare: in a process of its own ----------------------------------------------------


def prepare(stations: int) -> Site:
    """The kept database of this size, built if needed; Django must be set up."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_databases, teardown_databases

    from scripts import bench_pages

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("benchsite: DATABASE_URL must name a PostgreSQL database")
    name = bench_pages.kept_database(database["NAME"], stations)
    database.setdefault("TEST", {})["NAME"] = name
    # No serialisation of the contents (a 30,000-station company is millions of rows).
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=True, serialized_aliases=set()
    )
    try:
        company = bench_pages.kept_company(stations) or bench_pages.build_company(stations)
        if stations == bench_pages.DEMO_SIZE:
            from demo.company import DEMO_PASSWORD

            password = DEMO_PASSWORD
        else:
            password = BENCH_PASSWORD
            for user in (company.committee, company.staff):
                user.set_password(BENCH_PASSWORD)
                user.save(update_fields=["password"])
        users = get_user_model().objects
        logins = {
            bench_pages.COMMITTEE: (users.get(pk=company.committee.pk).username, password),
            bench_pages.STATION: (users.get(pk=company.staff.pk).username, password),
        }
        return Site(
            database=name,
            stations=company.stations,
            logins=logins,
            pages=bench_pages.pages(company),
        )
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=True)


def prepare_in_subprocess(stations: int, python: str = sys.executable) -> Site:
    """Run ``prepare`` in a child process (its output passes through) and read its Site."""
    command = [python, str(Path(__file__).resolve()), "prepare", "--size", str(stations)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise SystemExit(f"benchsite prepare --size {stations} failed ({result.returncode})")
    for line in lines[:-1]:
        print(line)
    return Site.from_json(lines[-1])


# --- serve ---------------------------------------------------------------------------------


def server_environment(base_url: str, database: str, redis_url: str | None) -> dict[str, str]:
    """Production-like settings for gunicorn: DEBUG off over plain HTTP on 127.0.0.1."""
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=database_url(base_url, database),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def collect_static(python: str = sys.executable) -> None:
    """The production storage's manifest and compressed copies (var/staticfiles)."""
    environment = dict(os.environ, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))
    subprocess.run(
        [python, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def _answers(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", LOGIN_URL)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@contextlib.contextmanager
def serve(
    base_url: str,
    database: str,
    port: int,
    redis_url: str | None,
    *,
    workers: int = WORKERS,
    timeout: int = 120,
) -> Iterator[str]:
    """gunicorn on ``database``; yields its base URL and stops it when the block ends."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_environment(base_url, database, redis_url),
        start_new_session=True,  # its own process group: stopped as a whole below
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while (status := _answers(port)) is None:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode} before answering")
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer on port {port} in {START_TIMEOUT} s")
            time.sleep(0.3)
        if status != 200:
            raise SystemExit(f"gunicorn answers {LOGIN_URL} with {status}, not 200")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's master (it stops its workers), then SIGKILL to its whole
    process group if it has not exited after STOP_TIMEOUT seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the master and its workers
        process.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_command = commands.add_parser("prepare", help="build or reuse a size's database")
    prepare_command.add_argument("--size", type=int, required=True)
    args = parser.parse_args(argv)

    from scripts import bench_pages

    bench_pages.configure_environment()
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    started = time.perf_counter()
    site = prepare(args.size)
    print(
        f"benchsite: {site.stations:,} stations in {site.database} "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    print(site.to_json())


if __name__ == "__main__":
    main()
