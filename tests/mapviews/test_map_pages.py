"""The map, matrix, history and widget pages, the ranking's sorting and downloads."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from mapviews.maps import BORDER_COLOUR
from tests.downloads import body, saved_name
from tests.factories import CompanyFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, score_month
from tests.mapviews.test_pages import HEADER_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def map_traces(figure):
    return {
        trace["name"]: trace["locations"]
        for trace in figure["data"]
        if trace["type"] == "choropleth"
    }


def test_map_colours_each_station_area_by_its_grade(viewer):
    response = viewer.get(reverse("mapviews:home"), {"period": "2026-10"})
    assert response.status_code == 200
    traces = map_traces(response.context["figure"])
    assert traces == {
        "Orange · Good": ["S1"],
        "Green · Weak": ["S2"],
        "Grey · Ungraded": ["S3"],
    }
    grey = next(t for t in response.context["figure"]["data"] if t.get("name") == "Grey · Ungraded")
    assert grey["customdata"][0][4] == "Grey · Ungraded: no data for this month"
    assert response.context["counts"] == {
        "red": 0, "orange": 1, "blue": 0, "green": 1, "yellow": 0, "ungraded": 1,
    }  # fmt: skip
    html = response.content.decode()
    assert 'id="station-map"' in html and "geo/" in html
    assert "https://" not in html.split("<body")[1]


def test_map_month_json_feeds_the_play_control(viewer):
    response = viewer.get(reverse("mapviews:map_month"), {"period": "2026-09"})
    data = response.json()
    assert data["period"] == "2026-09" and data["next"] == "2026-10" and data["previous"] is None
    assert data["counts"]["red"] == 1 and data["counts"]["yellow"] == 1
    assert viewer.get(reverse("mapviews:map_month"), {"period": "2026-01"}).status_code == 404
    assert viewer.get(reverse("mapviews:map_month"), {"period": "2026-13"}).status_code == 400


@pytest.mark.parametrize("name", ["mapviews:map_month", "mapviews:widget_map"])
def test_the_map_json_is_gzipped_for_a_client_that_accepts_it(viewer, name):
    url = reverse(name)
    plain = viewer.get(url, {"period": "2026-09"})
    for _ in range(2):  # built, then kept
        response = viewer.get(url, {"period": "2026-09"}, HTTP_ACCEPT_ENCODING="gzip, br")
        assert (response.status_code, response["Content-Encoding"]) == (200, "gzip")
        assert "Accept-Encoding" in response["Vary"]
        assert json.loads(gzip.decompress(response.content)) == plain.json()


def outlines(figure: dict) -> list[dict]:
    """The lines drawn round a station's area: the map's lines that are not county borders."""
    lines = [t for t in figure["data"] if t.get("mode") == "lines"]
    return [t for t in lines if t["line"]["color"] != BORDER_COLOUR]


def test_the_own_station_is_outlined_on_the_map(viewer, member):
    figure = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    assert len(outlines(figure)) == 1


def test_map_query_count_does_not_grow_with_stations(viewer, member, django_assert_max_num_queries):
    # 9 with the page's body kept (session, user, the viewer's stamp, and the header's
    # roles, permissions, own station and unread notifications); a change to the
    # stations renders the body again and rebuilds the fingerprint, the shapes, their
    # documents and the month's map (25 more, as many at any size: the month, the
    # fingerprint's 4, the shapes' inputs, the stations in view, the rows, the note, the
    # viewer's outline), and one for the breadcrumbs' units above the company.
    viewer.get(reverse("mapviews:home"))
    with django_assert_max_num_queries(9):
        viewer.get(reverse("mapviews:home"))
    county = member.station_membership.station.county
    score_month([StationFactory(county=county) for _ in range(20)], OCTOBER, list(range(20)))
    with django_assert_max_num_queries(35):
        response = viewer.get(reverse("mapviews:home"))
    assert sum(len(v) for v in map_traces(response.context["figure"]).values()) == 23


def test_matrix_grades_each_indicator_and_sorts_by_any_column(
    committee_viewer, django_assert_max_num_queries
):
    viewer = committee_viewer
    # 13, the month's re-grade note, the rows' count (the table is paged in SQL), the
    # key of the kept body (mapviews/pagecache.py), the viewer's scope (stations.scope) and
    # the month chosen remembered in the session (mapviews/filters.py: its update in a
    # savepoint, once per change)
    with django_assert_max_num_queries(20):
        response = viewer.get(reverse("mapviews:matrix"), {"period": "2026-09"})
    rows = response.context["rows"]
    assert [row.score.station.code for row in rows] == ["S3", "S2", "S1"]
    # Each station has the same value on every indicator: S3 the highest, so it is
    # red where higher is better and yellow where lower is better (N = 3).
    s3 = {cell.indicator.code: cell.grade.code for cell in rows[0].cells}
    assert len(s3) == 10
    assert s3["safety"] == "red" and s3["line_loss"] == "yellow"
    assert {cell.grade.code for cell in rows[1].cells} == {"blue"}
    weakest_first = viewer.get(
        reverse("mapviews:matrix"), {"period": "2026-09", "sort": "i-safety"}
    )
    assert [r.score.station.code for r in weakest_first.context["rows"]] == ["S1", "S2", "S3"]
    html = weakest_first.content.decode()
    assert 'aria-sort="ascending"' in html and "Company median" in html


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("rank", "asc", ["S1", "S2", "S3"]),
        ("rank", "desc", ["S2", "S1", "S3"]),  # no rank: always last
        ("score", "asc", ["S2", "S1", "S3"]),
        ("change", "asc", ["S2", "S1", "S3"]),  # S2 kept 2nd (0), S1 rose from 3rd (+2)
        ("nonsense", "desc", ["S1", "S2", "S3"]),  # unknown key: the default order
    ],
)
def test_ranking_sorts_by_any_column(viewer, sort, direction, expected):
    response = viewer.get(reverse("mapviews:ranking"), {"sort": sort, "dir": direction})
    assert [row.station.code for row in response.context["rows"]] == expected


def test_ranking_draws_sparklines(viewer):
    response = viewer.get(reverse("mapviews:ranking"))
    html = response.content.decode()
    assert html.count('<svg class="sparkline"') == 3
    # Not by colour alone: each month's grade is written in the summary, and the last
    # month's short label on a badge right of the line.
    assert "Last 12 months: 2026-09 40.00 Yellow · Lagging, 2026-10 60.00 Orange · Good" in html
    badges = re.findall(r'<g class="spark-grade"[^>]*>.*?<text[^>]*>([^<]*)</text></g>', html)
    assert badges == ["Gd", "Wk", "Ex"]  # the last month of each: S1 orange, S2 green, S3 red


def test_ranking_downloads_neutralise_formulas(committee_viewer, scored):
    viewer = committee_viewer  # another station's detail / every station's indicators
    scored[0].name = "=HYPERLINK(1)"
    scored[0].save()
    response = viewer.get(reverse("mapviews:ranking_export", args=["csv"]), {"period": "2026-10"})
    assert saved_name(response) == "station-scores-2026-10.csv"
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    first = rows[0]
    assert first["Grade"] == "Orange · Good" and first["Work safety index (normalised)"] == "100.00"
    assert (first["Station code"], first["Station"], first["Score"]) == (
        "S1",
        "'=HYPERLINK(1)",
        "60.00",
    )
    workbook = viewer.get(reverse("mapviews:ranking_export", args=["xlsx"]), {"period": "2026-10"})
    assert saved_name(workbook) == "station-scores-2026-10.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body(workbook))).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["Station"] == "'=HYPERLINK(1)"
    assert first["Score"] == 60.0
    assert sheet.cell(2, header.index("Score") + 1).number_format == "0.00"
    assert viewer.get("/ranking/export.pdf").status_code == 404


def transition_cells(response) -> dict:
    codes = [code for code, _display in response.context["categories"]]
    return {
        (codes[i], codes[j]): count
        for i, (_row, counts) in enumerate(response.context["transition_rows"])
        for j, count in enumerate(counts)
        if count
    }


def test_history_counts_stations_added_between_the_months_apart(viewer, member, scored):
    newcomer = StationFactory(county=scored[0].county)
    score_month([newcomer], OCTOBER, [25])  # October: S1 30, S2 20, newcomer 25
    response = viewer.get(reverse("mapviews:history"), {"from": "2026-10", "to": "2026-09"})
    shown = (response.context["from_period"], response.context["to_period"])
    assert shown == ("2026-09", "2026-10")  # a reversed pair is put in order
    cells = transition_cells(response)
    assert cells[("absent", "blue")] == 1  # the newcomer: not a move to a better grade
    assert sum(cells.values()) == 4
    assert "Not in that month" in response.content.decode()


def test_history_counts_transitions_and_lists_who_moved(viewer, django_assert_max_num_queries):
    with django_assert_max_num_queries(12 + HEADER_QUERIES):
        response = viewer.get(reverse("mapviews:history"))
    assert (response.context["from_period"], response.context["to_period"]) == (
        "2026-09",
        "2026-10",
    )
    assert transition_cells(response) == {
        ("yellow", "orange"): 1,
        ("blue", "green"): 1,
        ("red", "ungraded"): 1,
    }
    assert [m.score.station.code for m in response.context["moved_up"]] == ["S1"]
    assert [m.score.station.code for m in response.context["moved_down"]] == ["S2"]
    bars = {t["name"]: t["y"] for t in response.context["figure"]["data"]}
    assert bars["Red · Excellent"] == [1, 0] and bars["Orange · Good"] == [0, 1]


def test_station_page_names_weakest_indicators_medians_and_peers(committee_viewer, scored):
    viewer = committee_viewer  # another station's detail / every station's indicators
    response = viewer.get(reverse("mapviews:station", args=["S2"]))
    lines = response.context["indicators"]
    order = [(-line.grade.position, line.normalised) for line in lines]
    assert order == sorted(order)  # worst indicator grade first, then lowest value
    assert lines[0].median is not None and lines[0].grade.code == "green"
    assert [peer.station.code for peer in response.context["peers"]] == ["S1", "S2", "S3"]
    chart = response.context["chart"]
    assert chart["data"][1]["name"] == "Company median" and chart["data"][1]["y"] == [50.0, 50.0]


def test_every_page_keeps_frames_denied(committee_viewer):
    viewer = committee_viewer
    for name in ("home", "matrix", "ranking", "history", "widget"):
        response = viewer.get(reverse(f"mapviews:{name}"))
        assert response["X-Frame-Options"] == "DENY", name
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], name


def test_widget_may_be_framed_only_by_the_listed_origins(viewer, settings):
    settings.WIDGET_FRAME_ANCESTORS = ["https://portal.example.cn"]
    response = viewer.get(reverse("mapviews:widget"))
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://portal.example.cn" in policy.split("; ")
    assert "script-src 'self'" in policy.split("; ")  # the rest of the policy holds
    assert "X-Frame-Options" not in response
    assert response.context["own_row"].station.code == "S1"
    assert viewer.get(reverse("mapviews:ranking"))["X-Frame-Options"] == "DENY"


def test_anonymous_widget_asks_to_log_in_unless_public(client, scored, settings):
    response = client.get(reverse("mapviews:widget"))
    assert response.status_code == 200 and "figure" not in response.context
    assert reverse("login") in response.content.decode()
    assert client.get(reverse("mapviews:widget_map")).status_code == 403
    settings.WIDGET_PUBLIC = True
    public = client.get(reverse("mapviews:widget"))
    assert public.context["map_url"] == reverse("mapviews:widget_map") + "?period=2026-10"
    shown = client.get(public.context["map_url"]).json()
    assert len(map_traces(shown["figure"])) == 3 and shown["own"] is None


def test_pages_without_scores_explain_instead_of_failing(client, db):
    client.force_login(user_with_role("party_committee", company=CompanyFactory()))
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        for name in ("home", "matrix", "ranking", "history", "widget"):
            response = client.get(reverse(f"mapviews:{name}"))
            assert response.status_code == 200, name
            assert "No month has been scored yet" in response.content.decode(), name


def test_widget_query_count(viewer, django_assert_max_num_queries):
    first = viewer.get(reverse("mapviews:widget"))
    assert first.context["own_row"].station.code == "S1"
    # session, user, and one for the viewer's company, station and a stamp of its
    # published months: the page is kept rendered (its map is fetched apart,
    # tests/mapviews/test_widget.py)
    with django_assert_max_num_queries(3):
        response = viewer.get(reverse("mapviews:widget"))
    assert 'class="widget-own"' in response.content.decode()


def test_export_of_one_county_and_names_with_control_characters(viewer, scored, company):
    other = StationFactory(code="X1", name="=bad\x07name", county__company=company)
    url = reverse("mapviews:ranking_export", args=["xlsx"])
    response = viewer.get(url, {"period": "2026-10", "county": other.county_id})
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [("X1", "'=badname")]


def test_widget_public_shows_the_chosen_month_to_anonymous_visitors(client, scored, settings):
    settings.WIDGET_PUBLIC = True
    response = client.get(reverse("mapviews:widget"), {"period": "2026-09"})
    assert response.context["period"] == "2026-09"
    assert response.context["own_row"] is None
    assert dict((g.code, n) for g, n in response.context["legend"])["red"] == 1


def test_the_map_is_cached_per_month_but_the_outline_is_per_viewer(
    viewer, client, scored, django_assert_max_num_queries
):
    first = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    # session and user: the answer is kept (pagecache.kept: its key holds the viewer's
    # station, so the outline is theirs)
    with django_assert_max_num_queries(2):
        again = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    assert again == first
    assert len(outlines(first["figure"])) == 1  # the member's own station
    client.force_login(user_with_role("station_staff"))  # no station: no outline
    other = client.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    assert len(other["figure"]["data"]) == len(first["figure"]["data"]) - 1
    # A new score run for the month is a new key: the map shows it at once.
    score_month([StationFactory(county=scored[0].county)], OCTOBER, [25])
    after = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    assert sum(after["counts"].values()) == 4


def test_station_page_takes_the_score_apart_and_shows_the_way_up(committee_viewer, scored):
    viewer = committee_viewer  # another station's detail / every station's indicators
    response = viewer.get(reverse("mapviews:station", args=["S2"]), {"period": "2026-10"})
    bars = response.context["contribution_chart"]["data"][0]
    assert sum(bars["x"]) == pytest.approx(40.0)  # S2's score
    way_up = response.context["way_up"]
    # October, N = 2 (cut-offs 0, 1, 1, 2, 2): orange and blue both start at 60 (S1's
    # score), so reaching 60 gives orange.
    assert (way_up.grade, way_up.target_score, way_up.gap) == ("orange", 60.0, 20.0)
    # Each of ten equal weights would need +200 on its 0–100 scale: none alone. The
    # panel does not then name all ten as "not enough alone", but the fewest that would
    # do it together: S2 stands at 0 on six indicators and 100 on four; each at 0 has
    # 10 points of room (a tenth of the weight × 100), so two cover the gap of 20.
    assert response.context["way_up_steps"] == []
    assert response.context["way_up_impossible"] == []
    together = response.context["way_up_together"]
    assert [points for _indicator, points in together] == pytest.approx([10.0, 10.0])
    html = response.content.decode()
    assert "Not enough alone" not in html and "These together would" in html
    assert html.count("points)</span></li>") == 2
    best = viewer.get(reverse("mapviews:station", args=["S1"]), {"period": "2026-09"})
    # September, N = 3: S1 yellow at 40; blue and green start at 50 (S2). S1 holds the
    # lowest value of every indicator: improving one would move the scale for every
    # station, so no indicator is offered as a way up alone.
    september = best.context["way_up"]
    assert (september.grade, september.gap) == ("blue", 10.0)
    assert best.context["way_up_steps"] == []
    top = viewer.get(reverse("mapviews:station", args=["S1"]), {"period": "2026-10"})
    assert top.context["way_up"] is None and top.context["best_reachable"] is True


def test_station_page_splits_the_change_since_last_month(viewer, scored):
    response = viewer.get(reverse("mapviews:station", args=["S1"]), {"period": "2026-10"})
    parts = response.context["change_parts"]
    # S1: 40 → 60. Its own values rose from 10 to 30, past last month's best (30, S3):
    # on September's scale that is the top of every indicator where higher is better
    # and the bottom where lower is better: 60. The scale then moved, weights did not.
    assert parts.total == pytest.approx(20.0)
    assert parts.own_data == pytest.approx(20.0)
    assert parts.other_stations == pytest.approx(0.0)
    assert parts.weights_and_method == pytest.approx(0.0)
    assert "Score +20.00: own data +20.00" in response.content.decode()


def test_the_map_and_its_month_data_render_without_the_cache(viewer, unreachable_cache):
    """Redis down or hung: the map is built from the database (before: 500)."""
    page = viewer.get(reverse("mapviews:home"))
    month = viewer.get(reverse("mapviews:map_month"), {"period": "2026-09"})
    assert page.status_code == 200 and page.context["counts"]["orange"] == 1
    assert month.status_code == 200 and month.json()["counts"]["red"] == 1


def test_a_plotly_page_allows_only_its_nonced_style_element(viewer):
    """plotly.js fills the empty <style> we give it a nonce for; nothing else inline."""
    response = viewer.get(reverse("mapviews:map"))
    nonce = re.search(
        r'<style id="plotly.js-style-global" nonce="([^"]+)"></style>', response.content.decode()
    )
    assert nonce, "the map page loads plotly.js"
    policy = response["Content-Security-Policy"].split("; ")
    style = next(directive for directive in policy if directive.startswith("style-src "))
    assert style.split()[:3] == ["style-src", "'self'", f"'nonce-{nonce.group(1)}'"]
    assert "'unsafe-inline'" not in style
    assert "script-src 'self'" in policy
