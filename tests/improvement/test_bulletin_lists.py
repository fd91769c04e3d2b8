"""The bulletin's long lists: the page, the PDF and the workbook show the first ``SHOWN``
rows and say how many more there are and where the whole list is; the whole list is a
download with every row."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from improvement.selectors.bulletin import SHOWN, read_bulletin
from tests.downloads import body, saved_name
from tests.factories import StationFactory, user_with_role
from tests.mapviews.months import score_month

AUG, SEP = date(2026, 8, 1), date(2026, 9, 1)
STATIONS = 160


def _values(count: int) -> list[float]:
    """One value per station, lowest first, spread over 0–100."""
    return [round(100 * n / (count + 1), 2) for n in range(1, count + 1)]


@pytest.fixture
def long_lists(company):
    """160 stations whose order turns round from August to September: more stations
    move up, move down and are weak than the bulletin shows."""
    county = company.counties.create(name="海曙")
    stations = [
        StationFactory(code=f"L{n:03d}", name=f"站{n:03d}", county=county)
        for n in range(1, STATIONS + 1)
    ]
    score_month(stations, AUG, _values(STATIONS))
    score_month(stations, SEP, _values(STATIONS)[::-1])
    bulletin = read_bulletin(company, SEP)
    assert min(bulletin.moved_up.total, bulletin.moved_down.total, bulletin.weak.total) > SHOWN
    return bulletin


@pytest.fixture
def committee(client):
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_each_list_shows_its_first_rows_and_counts_the_rest(long_lists):
    for listing in (long_lists.moved_up, long_lists.moved_down, long_lists.weak):
        assert len(listing.rows) == SHOWN
        assert listing.more == listing.total - SHOWN
    whole = read_bulletin(long_lists.company, SEP, limit=None)
    assert whole.weak.rows[:SHOWN] == long_lists.weak.rows  # the first rows of the whole list
    assert len(whole.weak.rows) == whole.weak.total == long_lists.weak.total
    assert [move.station for move in whole.moved_up.rows[:SHOWN]] == [
        move.station for move in long_lists.moved_up.rows
    ]


@pytest.mark.django_db
def test_the_page_says_how_many_more_and_links_the_whole_lists(committee, long_lists):
    page = committee.get(reverse("improvement:bulletin"), {"period": "2026-09"}).content.decode()
    weak = long_lists.weak
    assert (
        f"Showing the first {SHOWN} of {weak.total}: <strong>and {weak.more} more weak stations"
        in page
    )
    up, down = long_lists.moved_up, long_lists.moved_down
    assert f"and {up.more} more stations moved up" in page
    assert f"and {down.more} more stations moved down" in page
    assert page.count('class="move-up"') == page.count('class="move-down"') == SHOWN
    for key in ("moves", "weak"):
        for file_format in ("csv", "xlsx"):
            assert reverse("improvement:bulletin_list", args=["2026-09", key, file_format]) in page
    assert f"Download the whole list ({weak.total} rows)" in page


@pytest.mark.django_db
def test_the_whole_weak_list_downloads_every_row(committee, long_lists):
    url = reverse("improvement:bulletin_list", args=["2026-09", "weak", "csv"])
    response = committee.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert saved_name(response) == "bulletin-2026-09-weak.csv"
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Station", "County", "Grade"]
    assert len(rows) - 1 == long_lists.weak.total
    shown = [station.station.name for station in long_lists.weak.rows]
    assert [row[0] for row in rows[1 : SHOWN + 1]] == shown  # in the bulletin's order
    assert all(row[5] == "Nothing being done" for row in rows[1:])


@pytest.mark.django_db
def test_the_whole_list_of_moves_downloads_every_row_as_a_workbook(committee, long_lists):
    from openpyxl import load_workbook

    url = reverse("improvement:bulletin_list", args=["2026-09", "moves", "xlsx"])
    response = committee.get(url)
    assert saved_name(response) == "bulletin-2026-09-moves.xlsx"
    sheet = load_workbook(io.BytesIO(body(response))).active
    total = long_lists.moved_up.total + long_lists.moved_down.total
    assert sheet.max_row - 1 == total
    assert sheet.cell(2, 1).value == long_lists.moved_up.rows[0].station.name


@pytest.mark.django_db
def test_the_bulletins_files_show_the_first_rows_and_say_where_the_rest_is(committee, long_lists):
    from openpyxl import load_workbook

    response = committee.get(reverse("improvement:bulletin_download", args=["2026-09", "xlsx"]))
    weak = load_workbook(io.BytesIO(body(response)))["Weak stations"]
    lines = [row[0] for row in weak.iter_rows(min_row=SHOWN + 2, values_only=True) if row[0]]
    whole = "http://testserver" + reverse(
        "improvement:bulletin_list", args=["2026-09", "weak", "xlsx"]
    )
    assert lines[:2] == [
        f"Showing the first {SHOWN} of {long_lists.weak.total}: "
        f"and {long_lists.weak.more} more weak stations.",
        f"The whole list: {whole}",
    ]


@pytest.mark.django_db
def test_a_list_download_of_an_unscored_month_or_an_unknown_list_is_not_found(
    committee, long_lists
):
    url = reverse("improvement:bulletin_list", args=["2026-10", "weak", "csv"])
    assert committee.get(url).status_code == 404
    assert committee.get("/improvement/bulletin/2026-09/everything.csv").status_code == 404


@pytest.mark.django_db
def test_the_pdf_lists_the_first_rows_and_says_where_the_rest_is(committee, long_lists):
    from django.utils import translation

    from improvement.text import bulletin as text

    response = committee.get(reverse("improvement:bulletin_download", args=["2026-09", "pdf"]))
    document = body(response)  # a streamed answer reads once
    assert document.startswith(b"%PDF-")
    with translation.override("en"):
        weak = next(
            section
            for section in text.sections(long_lists, {"weak": "http://x/weak.xlsx"})
            if section.key == "weak"
        )  # what the PDF draws under the table
    assert len(weak.rows) == SHOWN
    assert weak.more == (
        f"Showing the first {SHOWN} of {long_lists.weak.total}: "
        f"and {long_lists.weak.more} more weak stations.",
        "The whole list: http://x/weak.xlsx",
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=document, capture_output=True, check=True
    )
    words = "".join(result.stdout.decode().split())
    assert f"and{long_lists.weak.more}moreweakstations" in words
