"""Requests per second and latency of a page under concurrent users (standard library only).

    python scripts/loadtest.py --base http://127.0.0.1:8110 --path /accounts/login/
    python scripts/loadtest.py --base http://127.0.0.1:8110 --user meilin --path /widget/

Logs in first when ``--user`` is given (the login form with its CSRF token, as a browser
does), then N threads each send requests one after another for T seconds, a new connection
for every request (gunicorn's sync workers close each connection). It prints requests/s,
p50/p95/max latency and the statuses. ``--revalidate`` sends back the ETag of a first
response (If-None-Match), as a browser that has the answer does. Never used by the tests:
this is a measurement, run against a server started by hand (docs/performance.md).
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Target:
    host: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def request(
    target: Target, path: str, *, method: str = "GET", body: str | None = None, headers=None
) -> tuple[int, dict[str, str], list[str], bytes]:
    """One request on a new connection: status, headers, Set-Cookie values, body."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={**target.headers, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, dict(response.getheaders()), cookies, data
    finally:
        connection.close()


def _cookies(set_cookies: list[str], jar: dict[str, str]) -> dict[str, str]:
    for line in set_cookies:
        parsed = SimpleCookie()
        parsed.load(line)
        jar.update({name: morsel.value for name, morsel in parsed.items()})
    return jar


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def log_in(target: Target, user: str, password: str, login_path: str) -> dict[str, str]:
    """The session cookies of a logged-in user (raises when the login fails)."""
    status, _headers, set_cookies, page = request(target, login_path)
    jar = _cookies(set_cookies, {})
    token = CSRF_FIELD.search(page.decode("utf-8", "replace"))
    if status != 200 or token is None:
        raise SystemExit(f"login page: {status}, no CSRF token")
    form = urlencode({"username": user, "password": password, "csrfmiddlewaretoken": token[1]})
    origin = f"http://{target.host}:{target.port}"
    status, headers, set_cookies, _body = request(
        target,
        login_path,
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
            "Referer": origin + login_path,
            "Origin": origin,
        },
    )
    _cookies(set_cookies, jar)
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login as {user} failed: {status} {headers.get('Location')}")
    return jar


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(target: Target, deadline: float, results: Results) -> None:
    latencies, statuses, size = [], Counter(), 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            status, _headers, _cookies_set, data = request(target, target.path)
        except OSError as error:
            statuses[type(error).__name__] += 1
            continue
        latencies.append(time.perf_counter() - start)
        statuses[status] += 1
        size += len(data)
    with results.lock:
        results.latencies.extend(latencies)
        results.statuses.update(statuses)
        results.bytes += size


def run(target: Target, connections: int, seconds: float) -> tuple[Results, float]:
    results = Results()
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_worker, args=(target, deadline, results), daemon=True)
        for _ in range(connections)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8110")
    parser.add_argument("--path", required=True, help="the page to load, e.g. /widget/")
    parser.add_argument("--user", help="log in as this user first (else anonymous)")
    parser.add_argument("--password", default="wuse-demo-2026")
    parser.add_argument("--login-path", default="/accounts/login/")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2, help="seconds run and not counted")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    parser.add_argument("--revalidate", action="store_true", help="send the first ETag back")
    parser.add_argument("--language", help="the django_language cookie, e.g. en")
    args = parser.parse_args(argv)

    base = urlsplit(args.base)
    target = Target(base.hostname or "127.0.0.1", base.port or 80, args.path)
    jar = log_in(target, args.user, args.password, args.login_path) if args.user else {}
    if args.language:
        jar["django_language"] = args.language
    if jar:
        target.headers["Cookie"] = _cookie_header(jar)
    if args.gzip:
        target.headers["Accept-Encoding"] = "gzip"
    status, headers, _set, data = request(target, args.path)
    if status != 200:
        raise SystemExit(f"{args.path}: {status} on the first request")
    if args.revalidate:
        etag = headers.get("ETag")
        if not etag:
            raise SystemExit(f"{args.path} sends no ETag")
        target.headers["If-None-Match"] = etag
    if args.warmup:
        run(target, args.connections, args.warmup)
    results, elapsed = run(target, args.connections, args.seconds)
    done = len(results.latencies)
    print(
        f"{args.path} ({'user ' + args.user if args.user else 'anonymous'}, "
        f"{args.connections} connections, {elapsed:.1f} s): "
        f"{done / elapsed:.1f} requests/s, "
        f"p50 {_percentile(results.latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {_percentile(results.latencies, 0.95) * 1000:.0f} ms, "
        f"max {max(results.latencies, default=0) * 1000:.0f} ms, "
        f"{results.bytes / max(done, 1) / 1024:.1f} KB/response "
        f"(first {len(data) / 1024:.1f} KB), statuses {dict(results.statuses)}"
    )
    if results.latencies:
        # Machine-readable last line for scripts that collect runs.
        print(
            f"RESULT rps={done / elapsed:.1f} "
            f"p50={statistics.median(results.latencies) * 1000:.1f} "
            f"p95={_percentile(results.latencies, 0.95) * 1000:.1f}"
        )


if __name__ == "__main__":
    main()
