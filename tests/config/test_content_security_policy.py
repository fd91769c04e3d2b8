"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and no
template or static stylesheet needs 'unsafe-inline'. (The browser tests check that no
page logs a violation.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from mapviews.gradecss import FAVICON, STYLESHEET, favicon_svg, grade_stylesheet
from mapviews.plotlybundle import inline_style_hashes, inline_style_texts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [REPO / "templates", *REPO.glob("*/templates")]
STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def directives(response) -> dict[str, str]:
    parts = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return {part.split(" ", 1)[0]: part for part in parts if part}


@pytest.mark.parametrize("name", ["login", "mapviews:ranking", "admin:index", "password_change"])
def test_pages_carry_the_strict_policy(client, name):
    if name != "login":
        client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = directives(response)
    for directive in STRICT:
        assert policy[directive.split(" ", 1)[0]] == directive, name
    assert "unsafe" not in response["Content-Security-Policy"]
    # plotly.js's one fixed stylesheet text is allowed by its hash; a nonce only where
    # a page loads plotly.js.
    assert policy["style-src"] == " ".join(["style-src 'self'", *inline_style_hashes()])


def test_error_answers_carry_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code in (302, 404)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_permissions_policy_switches_the_devices_off(client):
    response = client.get(reverse("login"))
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"<style(?![^>]*\bnonce=)", re.I), "style element without nonce"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_unsafe_inline():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern, what in INLINE:
                if pattern.search(text):
                    found.append(f"{path.relative_to(REPO)}: {what}")
    assert found == []


def test_the_grade_stylesheet_matches_the_grade_colours():
    """The badges' colours come from static/css/grades.css, written from GRADE_COLOURS."""
    assert STYLESHEET.read_text(encoding="utf-8") == grade_stylesheet(), (
        "run: python -m mapviews.gradecss"
    )
    assert FAVICON.read_text(encoding="utf-8") == favicon_svg(), "run: python -m mapviews.gradecss"


def test_the_plotly_stylesheet_hash_is_found_in_the_served_bundle():
    """plotly.js 3 inserts maplibre's CSS when it loads; exactly that text is allowed."""
    bundle = 'x=document.createElement("style");x.id="a",x.textContent=`.m{font:12px}`,y()'
    assert inline_style_texts(bundle) == [".m{font:12px}"]
    assert len(inline_style_hashes()) == 1  # the installed plotly.min.js has one
