"""Status × change: the grid (pure) and the committee's page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from improvement.engine.statuschange import (
    CHANGE_BANDS,
    COMBINED,
    DECLINED,
    DECLINED_SIGNIFICANTLY,
    INCREASED,
    INCREASED_SIGNIFICANTLY,
    MAINTAINED,
    change_band,
    status_change_grid,
)
from scoring.engine.grades import GRADE_ORDER
from tests.builders import score_month
from tests.factories import StationFactory, user_with_role


@pytest.mark.parametrize(
    ("change", "band"),
    [
        (-12, DECLINED_SIGNIFICANTLY),
        (-5, DECLINED_SIGNIFICANTLY),
        (-4.99, DECLINED),
        (-1, DECLINED),
        (-0.99, MAINTAINED),
        (0, MAINTAINED),
        (0.99, MAINTAINED),
        (78.89 - 77.89, INCREASED),  # 0.99999…: stored scores are compared rounded
        (4.99, INCREASED),
        (5, INCREASED_SIGNIFICANTLY),
        (30, INCREASED_SIGNIFICANTLY),
    ],
)
def test_change_bands(change, band):
    assert change_band(change) == band


def test_the_combined_colours_keep_a_maintained_level_and_reward_improvement():
    for level in GRADE_ORDER:
        row = COMBINED[level]
        assert row[CHANGE_BANDS.index(MAINTAINED)] == level
        positions = [GRADE_ORDER.index(colour) for colour in row]
        assert positions == sorted(positions, reverse=True)  # more change, better colour
    # Columns: a better level never gives a worse colour for the same change.
    for column in range(len(CHANGE_BANDS)):
        positions = [GRADE_ORDER.index(COMBINED[level][column]) for level in GRADE_ORDER]
        assert positions == sorted(positions)


def test_the_grid_puts_each_station_in_its_cell_and_lists_the_rest_apart():
    grid = status_change_grid(
        [
            ("a", "red", 92.0, 91.5),  # maintained
            ("b", "yellow", 55.0, 40.0),  # increased significantly
            ("c", "yellow", 52.0, 49.0),  # increased
            ("d", "blue", 72.0, None),  # no comparison
            ("e", "ungraded", None, 60.0),  # no level: left out
            ("f", "yellow", 54.0, 40.0),
        ]
    )
    assert [s.key for s in grid.cell("red", MAINTAINED).stations] == ["a"]
    assert [s.key for s in grid.cell("yellow", INCREASED_SIGNIFICANTLY).stations] == ["b", "f"]
    assert grid.cell("yellow", INCREASED_SIGNIFICANTLY).colour == "blue"
    assert [s.key for s in grid.cell("yellow", INCREASED).stations] == ["c"]
    assert [s.key for s in grid.no_comparison] == ["d"]
    assert grid.compared == 4


# --- the page ----------------------------------------------------------------------

OCT_2025, JUL_2026, OCT_2026 = date(2025, 10, 1), date(2026, 7, 1), date(2026, 10, 1)


@pytest.fixture
def months(company):
    """Five stations: a year ago, in July and now (values alike for every indicator);
    V joined after a year ago."""
    county = company.counties.create(name="鄞州")
    p, q, r, s, v = (StationFactory(code=code, county=county) for code in "PQRSV")
    score_month([p, q, r, s], OCT_2025, [10, 30, 50, 70])
    score_month([p, q, r, s, v], JUL_2026, [10, 30, 50, 70, 90])
    score_month([p, q, r, s, v], OCT_2026, [10, 30, 50, 70, 90])
    return {"P": p, "Q": q, "R": r, "S": s, "V": v}


def page(client, user, **query):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("improvement:status_change"), {"period": "2026-10", **query})


@pytest.mark.django_db
def test_the_committee_sees_the_grid_with_counts_and_the_cells_stations(client, months):
    from scoring.models import StationScore

    response = page(client, user_with_role("party_committee"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status × change" in html and "Declined significantly" in html
    scores = {
        (row.station.code, row.period): row
        for row in StationScore.objects.filter(run__is_current=True).select_related("station")
    }
    # Each compared station's cell is listed with its name, under its level and change.
    for code in "PQRS":
        now, then = scores[(code, OCT_2026)], scores[(code, OCT_2025)]
        anchor = f'id="cell-{now.grade}-{change_band(now.score - then.score)}"'
        section = html.split(anchor)[1].split("</section>")[0]
        assert months[code].name in section
    # V has no score a year before: listed apart.
    no_comparison = html.split("No comparison")[1]
    assert months["V"].name in no_comparison
    assert "4 stations compared" in html


@pytest.mark.django_db
def test_since_quarter_compares_with_three_months_before(client, months):
    html = page(client, user_with_role("party_committee"), since="quarter").content.decode()
    assert "since 2026-07" in html
    assert "5 stations compared" in html
    assert "Every graded station has a score to compare with." in html


@pytest.mark.django_db
def test_a_month_compared_with_that_was_not_scored_says_so(client, months):
    response = page(client, user_with_role("party_committee"), period="2026-07")
    assert "2025-07 was not scored" in response.content.decode()


@pytest.mark.django_db
def test_station_staff_and_secretaries_may_not_open_it(client, months):
    staff = user_with_role("station_staff", station=months["P"])
    assert page(client, staff).status_code == 403


@pytest.mark.django_db
def test_a_bad_since_is_a_bad_request(client, months):
    response = page(client, user_with_role("party_committee"), since="decade")
    assert response.status_code == 400
    assert "since=year or since=quarter" in response.content.decode()


@pytest.mark.django_db
def test_months_graded_by_different_methods_are_flagged(client, company):
    from scoring.engine import ScoringMethod
    from scoring.services import create_method_version

    county = company.counties.create(name="鄞州")
    stations = [StationFactory(code=code, county=county) for code in "PQ"]
    score_month(stations, OCT_2025, [10, 30])
    create_method_version(
        company=company,
        method=ScoringMethod(grading="thresholds"),
        effective_from=date(2026, 1, 1),
        reason="fixed thresholds",
        recompute=False,
    )
    score_month(stations, OCT_2026, [10, 30])
    html = page(client, user_with_role("party_committee")).content.decode()
    assert "scored with different scoring methods" in html


def test_the_documented_grid_is_the_one_the_page_uses():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "pages-and-maps.md").read_text(encoding="utf-8")
    table = doc.split("| level \\ change |")[1].split("\n\n")[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    documented = {
        cells[0].split()[1]: tuple(cell.split()[1] for cell in cells[1:])
        for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows)
    }
    assert documented == COMBINED
