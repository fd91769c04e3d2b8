"""Uploading service areas in the admin: checked whole, permission needed, size limited."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from stations.models import ServiceArea
from tests.factories import UserFactory

URL = "admin:stations_servicearea_upload"
SQUARE = {"type": "Polygon", "coordinates": [[[121, 29], [121.5, 29], [121.5, 29.5], [121, 29]]]}


def upload(code: str) -> SimpleUploadedFile:
    feature = {"type": "Feature", "properties": {"code": code}, "geometry": SQUARE}
    text = '{"type": "FeatureCollection", "features": [\n' + json.dumps(feature) + "\n]}"
    return SimpleUploadedFile("areas.geojson", text.encode(), "application/geo+json")


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def test_a_good_file_is_loaded(admin_client, three_stations):
    company = three_stations[0].county.company
    response = admin_client.post(reverse(URL), {"company": company.pk, "file": upload("S1")})
    assert response.status_code == 302
    assert ServiceArea.objects.get().station.code == "S1"


def test_a_bad_file_lists_its_defects_and_writes_nothing(admin_client, three_stations):
    company = three_stations[0].county.company
    response = admin_client.post(reverse(URL), {"company": company.pk, "file": upload("NOPE")})
    assert response.status_code == 200
    with translation.override("en"):
        assert "line 2: no station with code “NOPE”" in response.content.decode()
    assert ServiceArea.objects.count() == 0


def test_an_oversized_file_is_refused_before_reading(admin_client, three_stations, monkeypatch):
    monkeypatch.setattr("stations.admin.MAX_GEOJSON_BYTES", 10)
    company = three_stations[0].county.company
    response = admin_client.post(reverse(URL), {"company": company.pk, "file": upload("S1")})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert ServiceArea.objects.count() == 0


def test_change_permission_alone_cannot_upload(client, three_stations):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="change_servicearea"),
        Permission.objects.get(codename="view_servicearea"),
    )
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_servicearea"))
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 200
