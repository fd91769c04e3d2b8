#!/usr/bin/env python3
"""Measure a large web upload of indicator data: how long the upload request takes to
answer and how long its import job takes, against a running site and worker.

1. ``generate``: add stations to the demo company (through ``import_stations``) and write
   a long-form XLSX of ``stations × months × 10`` values for them (needs the site's
   environment: DATABASE_URL of the site's database)::

       DATABASE_URL=… scripts/bench_upload.py generate big.xlsx --stations 2292 --months 12

2. ``upload``: log in as an administrator, upload the file ``--copies`` times at once,
   time each upload request, follow each job's page until it finishes, and time the health
   check while the jobs run (no Django needed; only the site's address)::

       scripts/bench_upload.py upload big.xlsx --url http://127.0.0.1:8000 --copies 1

Prints the figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip
UPPER = {"frequent_outage": 1000, "financial": 120, "team_performance": 120}


def generate(path: Path, stations: int, months: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import numpy as np
    from openpyxl import Workbook

    from demo.company import COMPANY_NAME
    from stations.models import Station
    from stations.services import import_stations

    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "bench-stations.csv"
        lines = ["code,name,county,latitude,longitude,staff_count"]
        lines += [
            f"B{n:05d},压测{n}所,压测区,{29.5 + n % 100 / 200:.3f},{121.2 + n // 100 / 100:.3f},30"
            for n in range(stations)
        ]
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_stations(csv, company_name=COMPANY_NAME)
    codes = sorted(
        Station.objects.filter(county__company__name=COMPANY_NAME).values_list("code", flat=True)
    )
    today = date.today()
    periods = []
    year, month = today.year, today.month
    for _ in range(months):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        periods.append(f"{year}-{month:02d}")
    rng = np.random.default_rng(1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["station_code", "period", "indicator_code", "value"])
    rows = 0
    for period in periods:
        for code in codes:
            for indicator in CODES:
                high = UPPER.get(indicator, 100)
                sheet.append([code, period, indicator, round(float(rng.uniform(0, high)), 2)])
                rows += 1
    book.save(path)
    size = path.stat().st_size / 1e6
    print(f"{path}: {rows} rows, {len(codes)} stations × {months} months, {size:.1f} MB")


class Site:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.url + path, timeout=120) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.url + path,
            data=body,
            headers={
                "Content-Type": content_type,
                "X-CSRFToken": self.csrf(),
                "Referer": self.url + path,
            },
        )
        try:
            with self.opener.open(request, timeout=300) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def login(self, user: str, password: str) -> None:
        self.get("/accounts/login/")
        form = urllib.parse.urlencode(
            {"username": user, "password": password, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        status, _ = self.post("/accounts/login/", form, "application/x-www-form-urlencoded")
        if status != 302:
            raise SystemExit(f"login failed ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(path: Path, token: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload_and_follow(args, results: list, index: int) -> None:
    site = Site(args.url)
    site.login(args.user, args.password)
    site.get("/manage/imports/")
    body, content_type = multipart(Path(args.file), site.csrf())
    started = time.perf_counter()
    status, location = site.post("/manage/imports/", body, content_type)
    answered = time.perf_counter() - started
    state = ""
    while status == 302 and location:
        _code, _to, page = site.get(location)
        state = re.search(r'class="status import-(\w+)"', page).group(1)
        if state in ("done", "failed"):
            break
        time.sleep(1)
    results[index] = (status, answered, time.perf_counter() - started, state, location)


def upload(args) -> None:
    results: list = [None] * args.copies
    threads = [
        threading.Thread(target=upload_and_follow, args=(args, results, n))
        for n in range(args.copies)
    ]
    for thread in threads:
        thread.start()
    health = []
    site = Site(args.url)
    while any(thread.is_alive() for thread in threads):
        started = time.perf_counter()
        site.get("/healthz")
        health.append(time.perf_counter() - started)
        time.sleep(1)
    for thread in threads:
        thread.join()
    for status, answered, total, state, location in results:
        print(
            f"upload answered {status} in {answered:.2f} s → {location}; "
            f"job {state} after {total:.1f} s"
        )
    if health:
        median = sorted(health)[len(health) // 2]
        print(
            f"/healthz while the jobs ran: {len(health)} checks, "
            f"max {max(health) * 1000:.0f} ms, median {median * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate")
    make.add_argument("file")
    make.add_argument("--stations", type=int, default=2292)
    make.add_argument("--months", type=int, default=12)
    send = commands.add_parser("upload")
    send.add_argument("file")
    send.add_argument("--url", default="http://127.0.0.1:8000")
    send.add_argument("--user", default="admin")
    send.add_argument("--password", default="wuse-demo-2026")
    send.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    if args.command == "generate":
        generate(Path(args.file), args.stations, args.months)
    else:
        upload(args)


if __name__ == "__main__":
    main()
