"""Request bodies are capped before anything reads them (config/bodylimit.py)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse

from config.bodylimit import FORM_ROOM, body_limit
from stations.geoimport import MAX_GEOJSON_BYTES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GIGABYTE = 1024**3


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_declaring(client, path, length, **extra):
    """A POST that says it carries ``length`` bytes (the body itself is tiny)."""
    return client.generic(
        "POST",
        path,
        b"username=x&password=y",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **extra,
    )


def test_a_gigabyte_post_to_the_login_page_is_refused_unread(client, monkeypatch):
    read = []
    monkeypatch.setattr(
        "django.core.handlers.wsgi.WSGIRequest._load_post_and_files",
        lambda self: read.append(True),
    )
    response = post_declaring(client, reverse("login"), GIGABYTE)

    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()
    assert "at most 2.5\xa0MB" in response.content.decode()
    assert read == []


def test_a_normal_login_post_passes(client):
    UserFactory(username="meilin")
    response = client.post(
        reverse("login"), {"username": "meilin", "password": "a-long-test-password"}
    )
    assert response.status_code == 302


def test_a_body_without_a_length_is_refused(client):
    response = client.generic(
        "POST", reverse("login"), b"", HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH=""
    )
    assert response.status_code == 411
    assert "The size of the request is missing" in response.content.decode()


def test_the_import_page_takes_files_up_to_its_limit(client, settings):
    settings.IMPORT_MAX_FILE_BYTES = 5 * 1024 * 1024
    upload = reverse("imports:upload")
    admin = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert body_limit(upload) == 5 * 1024 * 1024 + FORM_ROOM
    assert post_declaring(client, upload, 5 * 1024 * 1024 + FORM_ROOM + 1).status_code == 413
    # A 4 MB file is over the default cap but reaches the import page, which answers its
    # form (400 for a file that is not CSV or XLSX), not the size refusal (413).
    response = client.post(upload, {"file": io.BytesIO(b"x" * (4 * 1024 * 1024))}, follow=False)
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert post_declaring(client, reverse("login"), 4 * 1024 * 1024).status_code == 413


def test_the_geojson_upload_in_the_admin_has_its_own_limit():
    assert body_limit("/admin/stations/servicearea/upload/") == MAX_GEOJSON_BYTES + FORM_ROOM
    assert body_limit("/admin/stations/servicearea/") == settings.REQUEST_MAX_BODY_BYTES


def test_the_refusal_is_translated(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = post_declaring(client, reverse("login"), GIGABYTE)
    assert response.status_code == 413
    assert "请求过大" in response.content.decode()
