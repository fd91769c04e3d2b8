"""The header marks the section of the page being shown (``aria-current="page"``), from the
view that answered (config/sections.py), wherever its URL is mounted."""

from __future__ import annotations

import re

import pytest
from django.urls import include, path, reverse

from config.urls import urlpatterns as site_urlpatterns

CURRENT = re.compile(r'<a [^>]*aria-current="page"[^>]*>([^<]*)')

# a page of every section → the header link marked as the current one
PAGES = [
    ("mapviews:home", [], "Map"),
    ("mapviews:map", [], "Map"),
    ("mapviews:ranking", [], "Ranking"),
    ("mapviews:matrix", [], "Indicator matrix"),
    ("mapviews:history", [], "History"),
    ("improvement:all_red", [], "All red"),
    ("improvement:review", [], "Improvement"),
    ("improvement:pairing", [], "Improvement"),
    ("improvement:help", [], "Improvement"),
    ("improvement:bulletin", [], "Improvement"),
    ("improvement:status_change", [], "Improvement"),
    ("improvement:notifications", [], "Notices"),
    ("scoring:weights", [], "Weights"),
    ("scoring:weight_new", [], "Weights"),
    ("scoring:methods", [], "Grading rules"),
    ("scoring:method_detail", [1], "Grading rules"),
    ("scoring:target_list", [], "Targets"),
    ("scoring:target_new", [], "Targets"),
    ("indicators:list", [], "Indicators"),
    ("indicators:add", [], "Indicators"),
    ("imports:upload", [], "Data imports"),
    ("audit:list", [], "Audit trail"),
    ("password_change", [], "Change password"),
]


def current_sections(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    header = response.content.decode().split("</header>")[0]
    return [text.strip() for text in CURRENT.findall(header)]


@pytest.fixture
def admin(client, users):
    client.force_login(users["admin"])
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "section"), PAGES)
def test_the_header_marks_the_section_of_the_page(admin, name, args, section):
    assert current_sections(admin, reverse(name, args=args)) == [section]


@pytest.mark.django_db
def test_pages_of_no_section_mark_nothing(admin):
    for url in (reverse("mapviews:station", args=["S1"]), reverse("imports:job", args=[999])):
        response = admin.get(url)
        header = response.content.decode().split("</header>")[0]
        assert CURRENT.findall(header) == [], url


# The grading pages mounted under another prefix: their section does not depend on the path.
urlpatterns = [
    path("settings/", include("scoring.urls")),
    *(p for p in site_urlpatterns if getattr(p, "namespace", None) != "scoring"),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_section_follows_the_view_not_the_path(admin):
    url = reverse("scoring:weight_new")
    assert url == "/settings/weights/new/"
    assert current_sections(admin, url) == ["Weights"]
    assert current_sections(admin, reverse("scoring:methods")) == ["Grading rules"]
