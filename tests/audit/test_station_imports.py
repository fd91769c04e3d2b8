"""Station and map-shape imports are recorded once per file, with their counts and who
loaded them; a station changed one by one (the Django admin) is recorded with its fields."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audit.models import Action, AuditEntry
from stations.models import Station
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,county,latitude,longitude,staff_count,active\n"
SQUARE = {"type": "Polygon", "coordinates": [[[121, 29], [121.5, 29], [121.5, 29.5], [121, 29]]]}


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_station_file_of_many_stations_is_one_entry_with_its_counts(write_file):
    rows = "".join(f"N{n:03d},站{n},海曙,29.8,121.5,10,yes\n" for n in range(120))
    call_command("import_stations", str(write_file("new.csv", HEADER + rows)))
    [entry] = entries(Action.STATIONS_IMPORTED)
    assert (entry.actor_name, entry.target_type) == ("", "stations.company")
    assert entry.after["created"] == 120 and entry.after["rows"] == 120
    assert entry.after["file_name"] == "new.csv" and len(entry.after["file_sha256"]) == 64
    assert (
        not AuditEntry.objects.exclude(action=Action.STATIONS_IMPORTED)
        .filter(target_type="stations.station")
        .exists()
    ), "no entry per station"


def test_switching_a_station_off_by_import_is_counted_and_named(write_file):
    call_command(
        "import_stations",
        str(
            write_file(
                "a.csv", HEADER + "A1,甲,海曙,29.8,121.5,10,yes\nA2,乙,海曙,29.8,121.5,10,yes\n"
            )
        ),
    )
    call_command(
        "import_stations",
        str(
            write_file(
                "b.csv", HEADER + "A1,甲,海曙,29.8,121.5,10,no\nA2,乙,海曙,29.8,121.5,10,yes\n"
            )
        ),
    )
    first, second = entries(Action.STATIONS_IMPORTED)
    assert first.after["created"] == 2
    assert {
        key: second.after[key] for key in ("created", "changed", "unchanged", "deactivated")
    } == {
        "created": 0,
        "changed": 1,
        "unchanged": 1,
        "deactivated": 1,
    }
    assert second.after["deactivated_codes"] == ["A1"]
    assert Station.objects.get(code="A1").active is False


def test_a_service_area_file_is_one_entry_with_its_counts(three_stations, write_file):
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": SQUARE}
        for code in ("S1", "S2")
    ]
    text = (
        '{"type": "FeatureCollection", "features": [\n'
        + ",\n".join(json.dumps(feature) for feature in features)
        + "\n]}"
    )
    path = write_file("areas.geojson", text)
    call_command("import_areas", str(path), "--stations")
    call_command("import_areas", str(path), "--stations")
    first, second = entries(Action.SERVICE_AREAS_IMPORTED)
    assert (first.after["shapes"], first.after["created"], first.after["replaced"]) == (2, 2, 0)
    assert (second.after["created"], second.after["replaced"]) == (0, 2)
    assert first.target_repr == three_stations[0].county.company.name


def test_a_station_switched_off_in_the_django_admin_is_recorded_with_who(client, three_stations):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    station = three_stations[0]
    url = reverse("admin:stations_station_change", args=[station.pk])
    form = {
        "code": station.code,
        "name": station.name,
        "county": station.county_id,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "staff_count": station.staff_count,
        # "active" left out: the box is unticked
    }
    assert client.post(url, form).status_code == 302
    [entry] = entries(Action.STATION_CHANGED)
    assert (entry.actor, entry.target_repr) == (root, str(station))
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_a_service_area_upload_in_the_admin_is_recorded_with_who(client, three_stations):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    feature = {"type": "Feature", "properties": {"code": "S1"}, "geometry": SQUARE}
    text = '{"type": "FeatureCollection", "features": [\n' + json.dumps(feature) + "\n]}"
    file = SimpleUploadedFile("areas.geojson", text.encode(), "application/geo+json")
    company = three_stations[0].county.company
    response = client.post(
        reverse("admin:stations_servicearea_upload"), {"company": company.pk, "file": file}
    )
    assert response.status_code == 302
    [entry] = entries(Action.SERVICE_AREAS_IMPORTED)
    assert (entry.actor, entry.after["shapes"]) == (root, 1)
