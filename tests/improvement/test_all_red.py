"""The all-red view: red stations over time, and who is closest to the next colour."""

from __future__ import annotations

import pandas as pd
import pytest
from django.urls import reverse

from improvement.selectors.allred import closest_to_next_colour, red_counts
from scoring.selectors import current_run
from tests.mapviews.months import OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db
URL = reverse("improvement:all_red")


def test_red_stations_and_graded_stations_by_month(scored):
    counts = red_counts(scored[0].county.company_id)
    # September: S3 red of three graded; October: nobody red (two graded, S3 without data).
    assert counts.to_dict("records") == [
        {"period": "2026-09", "red": 1, "graded": 3},
        {"period": "2026-10", "red": 0, "graded": 2},
    ]


def test_the_points_each_station_misses_to_its_next_colour(scored):
    company_id = scored[0].county.company_id
    # September thresholds (3 stations, quotas): red and orange start at 60, blue and
    # green at 50, yellow at 40. S1 (40, yellow) reaches blue at 50; S2 (50, blue)
    # reaches red at 60 (red and orange start there: the better one counts).
    rows = closest_to_next_colour(current_run(company_id, SEPTEMBER))
    assert [(r.station.code, r.grade.code, r.target.code, r.target_score, r.gap) for r in rows] == [
        ("S1", "yellow", "blue", 50.0, 10.0),
        ("S2", "blue", "red", 60.0, 10.0),
    ]
    only_blue = closest_to_next_colour(current_run(company_id, SEPTEMBER), grade="blue")
    assert [row.station.code for row in only_blue] == ["S2"]
    # October (2 stations): nobody is red by the quotas, so orange S1 has no next colour.
    october = closest_to_next_colour(current_run(company_id, OCTOBER))
    assert [(r.station.code, r.target.code, r.gap) for r in october] == [("S2", "orange", 20.0)]


def test_the_page_says_quotas_fix_the_number_of_red_stations(login, people):
    response = login(people["staff"]).get(URL, {"period": "2026-09"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "graded by quotas: the best 20 % of stations are red" in html
    assert "1 of 3 graded stations are red" in html
    assert [row.station.code for row in response.context["page"]] == ["S1", "S2"]
    bars = response.context["figure"]["data"][0]
    assert (bars["x"], bars["y"]) == (["2026-09", "2026-10"], [1, 0])


def test_the_chart_builder_draws_red_bars_against_the_graded_line():
    from mapviews.charts import red_over_time_figure

    counts = pd.DataFrame({"period": ["2026-09", "2026-10"], "red": [1, 2], "graded": [3, 3]})
    figure = red_over_time_figure(counts, red_label="红", total_label="all", count_label="n")
    bars, line = figure.data
    assert list(bars.y) == [1, 2] and list(line.y) == [3, 3]
    assert bars.marker.color == "#d7191c" and list(bars.text) == ["1", "2"]
