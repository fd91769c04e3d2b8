"""Pages, JSON and downloads are gzip-compressed for a client that accepts it, and plain
for one that does not; static files are left to WhiteNoise (pre-compressed files)."""

from __future__ import annotations

import gzip
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from tests.downloads import body, saved_name
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

GZIP = {"accept-encoding": "gzip, deflate, br"}
#: What differs between two renderings of a page: the CSRF token and the CSP nonce.
_PER_REQUEST = re.compile(rb'(csrfmiddlewaretoken" value|nonce)="[^"]*"')


def _same_page(one: bytes, other: bytes) -> bool:
    return _PER_REQUEST.sub(b"", one) == _PER_REQUEST.sub(b"", other)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def member(english, scored):
    english.force_login(user_with_role("party_committee"))
    return english


def test_a_page_is_compressed_only_for_a_client_that_accepts_it(english):
    plain = english.get(reverse("login"))
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]  # a cache keeps both answers apart
    packed = english.get(reverse("login"), headers=GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(plain.content)
    assert _same_page(gzip.decompress(packed.content), plain.content)
    assert b"Log in" in gzip.decompress(packed.content)


def test_the_map_page_and_its_month_json_are_compressed(member):
    page = member.get(reverse("mapviews:home"), headers=GZIP)
    assert page["Content-Encoding"] == "gzip"
    assert _same_page(gzip.decompress(page.content), member.get(reverse("mapviews:home")).content)
    month = reverse("mapviews:map_month")
    packed = member.get(month, {"period": "2026-09"}, headers=GZIP)
    plain = member.get(month, {"period": "2026-09"})
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(packed.content) == plain.content


def test_the_widget_map_is_compressed_and_still_answered_304(member):
    url = reverse("mapviews:widget_map")
    packed = member.get(url, {"period": "2026-09"}, headers=GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == member.get(url, {"period": "2026-09"}).content
    # The ETag is weak (W/"…": plain or gzipped, the same map); a weak match counts for a 304.
    assert packed["ETag"].startswith('W/"')
    asked = {**GZIP, "if-none-match": packed["ETag"]}
    again = member.get(url, {"period": "2026-09"}, headers=asked)
    assert again.status_code == 304


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_keep_their_name_and_bytes(member, file_format):
    url = reverse("mapviews:ranking_export", args=[file_format])
    plain = member.get(url, {"period": "2026-09"})
    packed = member.get(url, {"period": "2026-09"}, headers=GZIP)
    assert saved_name(packed) == saved_name(plain)
    unpacked = body(packed)
    if packed.get("Content-Encoding") == "gzip":
        unpacked = gzip.decompress(unpacked)
    assert _contents(unpacked, file_format) == _contents(body(plain), file_format)


def _contents(data: bytes, file_format: str) -> list:
    """The rows a user sees (a workbook's zip stamps the time it was written)."""
    if file_format == "csv":
        return data.decode("utf-8-sig").splitlines()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))
