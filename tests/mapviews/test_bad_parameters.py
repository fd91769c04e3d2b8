"""A bad query value answers a 400 page that says what was wrong (or is clamped), never a
500 (issue 13, defects 4 and 5). The walk over every URL is tests/config/
test_hostile_parameters.py; these pin what a user sees."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from stations.models import County
from tests.downloads import body
from tests.factories import user_with_role

#: Every page that reads ?period= (issue 13 listed them answering 500 for 9999-12).
MONTH_PAGES = [
    "mapviews:home",
    "mapviews:map",
    "mapviews:ranking",
    "mapviews:matrix",
    "mapviews:widget",
    "improvement:review",
    "improvement:bulletin",
    "improvement:pairing",
    "improvement:help",
    "improvement:all_red",
]


@pytest.fixture
def admin(client, scored):
    client.force_login(user_with_role("admin", is_staff=True))
    client.cookies["django_language"] = "en"
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize("name", MONTH_PAGES)
@pytest.mark.parametrize("period", ["9999-12", "0000-01", "2026-13", "2026-1", "abc"])
def test_a_month_out_of_range_or_malformed_is_a_400_page(admin, name, period):
    response = admin.get(reverse(name), {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="site-header"' in page  # the site's own page, with its header
    assert f"{period} is not a month: write it as YYYY-MM, between 1900 and 2200." in page
    assert "Back to the map" in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["mapviews:map_month", "mapviews:widget_map"])
def test_the_map_json_says_what_was_wrong_in_json(admin, name):
    response = admin.get(reverse(name), {"period": "9999-12"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "9999-12 is not a month: write it as YYYY-MM, between 1900 and 2200."
    }
    assert admin.get(reverse(name), {"period": "2200-12"}).status_code == 404


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize(("parameter", "name"), [("to", "mapviews:history"),
                                                 ("from", "mapviews:history")])  # fmt: skip
def test_the_history_months_are_checked_too(admin, parameter, name):
    assert admin.get(reverse(name), {parameter: "9999-12"}).status_code == 400


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_the_station_page_and_the_measure_form_check_their_month(admin):
    station = reverse("mapviews:station", args=["S1"])
    assert admin.get(station, {"period": "9999-12"}).status_code == 400
    new_measure = reverse("improvement:measure_new", args=["S1"])
    assert admin.get(new_measure, {"period": "9999-12"}).status_code == 400


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_the_400_page_is_in_chinese_by_default(admin):
    del admin.cookies["django_language"]
    page = admin.get(reverse("mapviews:ranking"), {"period": "9999-12"}).content.decode()
    assert "9999-12 不是月份" in page
    assert "返回地图" in page


@pytest.mark.django_db
def test_the_latest_allowed_month_steps_without_overflow(admin):
    """2200-12 is a month (with no scores): its page draws, its neighbours included."""
    for name in MONTH_PAGES:
        response = admin.get(reverse(name), {"period": "2200-12"})
        assert response.status_code == 200, name
    json = admin.get(reverse("mapviews:map_month"), {"period": "2200-12"})
    assert json.status_code == 404 and "error" in json.json()  # no scores that month


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize("county", ["-1", "abc", "1.5", "99999999999999999999", "' OR 1=1--"])
def test_a_malformed_county_is_a_400_page(admin, county):
    response = admin.get(reverse("mapviews:ranking"), {"county": county})
    assert response.status_code == 400
    assert "is not a record number." in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_county_of_no_company_of_the_viewer_is_a_400_page(admin, scored):
    unknown = County.objects.order_by("-pk").first().pk + 100
    for name in ("mapviews:ranking", "mapviews:map", "improvement:all_red"):
        response = admin.get(reverse(name), {"county": unknown})
        assert response.status_code == 400
        assert f"There is no such county: {unknown}" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["-1", "0", "99999999999999999999", "abc"])
def test_a_bad_page_number_is_clamped(admin, page):
    response = admin.get(reverse("mapviews:ranking"), {"page": page, "period": "2026-09"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 3


# --- Defect 5: the ranking download -------------------------------------------------------


@pytest.mark.django_db
def test_the_download_of_a_county_without_stations_has_its_headings(admin, scored):
    empty = County.objects.create(company=scored[0].county.company, name="江北")
    url = reverse("mapviews:ranking_export", args=["csv"])
    response = admin.get(url, {"period": "2026-09", "county": empty.pk})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Station code", "Station", "County"]
    assert len(rows) == 1
    xlsx = admin.get(reverse("mapviews:ranking_export", args=["xlsx"]),
                     {"period": "2026-09", "county": empty.pk})  # fmt: skip
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body(xlsx))).active
    assert sheet.max_row == 1 and sheet.cell(1, 1).value == "Station code"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_the_download_of_an_unknown_county_is_a_400(admin):
    url = reverse("mapviews:ranking_export", args=["csv"])
    response = admin.get(url, {"period": "2026-09", "county": 999999})
    assert response.status_code == 400
    assert "There is no such county: 999999" in response.content.decode()


# --- Anything else ------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_nul_character_anywhere_is_a_400_page(admin):
    for url, query in [
        ("/stations/%00/", {}),
        (reverse("mapviews:ranking"), {"sort": "\x00"}),
        (reverse("audit:list"), {"actor": "\x00"}),
    ]:
        response = admin.get(url, query)
        assert response.status_code == 400
        assert "The address or the form contains a NUL character." in response.content.decode()
    posted = admin.post(  # as a browser posts a plain form
        reverse("improvement:notifications_read"),
        "next=/%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert posted.status_code == 400


@pytest.mark.django_db
def test_marking_read_with_a_bad_next_goes_back_to_the_notifications(admin):
    for target in ("abc", "//elsewhere.example/", "javascript:alert(1)"):
        response = admin.post(reverse("improvement:notifications_read"), {"next": target})
        assert response.status_code == 302
        assert response["Location"] == reverse("improvement:notifications")
    assert admin.post(reverse("improvement:notifications_read"), {"id": "abc"}).status_code == 400


@pytest.mark.django_db
@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_django_s_own_refusals_keep_their_reason_to_the_log(admin):
    response = admin.get(reverse("mapviews:ranking"), HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert "elsewhere.example" not in response.content.decode()
