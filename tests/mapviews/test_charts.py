"""Chart builders are pure: DataFrame in, figure out, no database."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from mapviews.charts import grade_distribution_figure, score_history_figure, sparkline
from mapviews.maps import (
    COUNTY_COLUMNS,
    STATION_COLUMNS,
    UNIT_COLUMNS,
    CountyLabels,
    MapLabels,
    county_map_figure,
    own_station_trace,
    unit_map_figure,
)
from mapviews.maps import station_map_figure as map_spec
from scoring.engine.grades import GRADE_COLOURS


def station_map_figure(*args, **kwargs) -> go.Figure:
    """The map as plotly's graph objects: they reject any property plotly does not know."""
    spec = map_spec(*args, **kwargs)
    json.dumps(spec)  # plain JSON, as the page embeds it
    return go.Figure(spec)


LABELS = MapLabels(county="County:", score="Score:", rank="Rank:", change="Change:")


def square(x: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, 29], [x + 0.1, 29], [x + 0.1, 29.1], [x, 29.1], [x, 29]]],
    }


def stations(grades: list[str]) -> pd.DataFrame:
    rows = []
    for key, grade in enumerate(grades, start=1):
        rows.append(
            {
                "key": key,
                "code": f"C{key}",
                "name": f"Station {key}",
                "county": "North",
                "grade": grade,
                "grade_name": f"label-{grade}",
                "grade_label": f"label-{grade}",
                "mark": grade[:2],
                "score_text": f"{90 - key:.2f}",
                "rank_text": str(key),
                "change_text": "up 1 place",
                "url": f"/stations/C{key}/",
                "label_lon": 121.0 + key / 10,
                "label_lat": 29.05,
            }
        )
    return pd.DataFrame(rows, columns=list(STATION_COLUMNS))


AREAS = {key: square(121.0 + key / 10) for key in range(1, 7)}
#: The areas are a document the figure names (stations.shapefiles), not part of it.
SHAPES_URL = "/map/shapes/abc/stations.json"
BORDERS = [
    {"name": "North", "lons": [121, 122, None], "lats": [29, 29, None], "label": (121.5, 29)}
]


def choropleths(figure):
    return [trace for trace in figure.data if trace.type == "choropleth"]


def test_one_trace_per_grade_carrying_only_its_own_areas():
    figure = station_map_figure(
        stations(["red", "red", "blue", "yellow", "ungraded"]), SHAPES_URL, BORDERS, LABELS
    )
    traces = choropleths(figure)
    assert [trace.name for trace in traces] == [
        "label-red",
        "label-blue",
        "label-yellow",
        "label-ungraded",
    ]
    assert [list(trace.locations) for trace in traces] == [["C1", "C2"], ["C3"], ["C4"], ["C5"]]
    for trace in traces:
        assert trace.geojson == SHAPES_URL  # fetched once, kept by the browser
        assert trace.colorscale[0][1] == trace.colorscale[1][1]  # one flat colour
    assert traces[0].colorscale[0][1] == "#d7191c"
    assert traces[-1].colorscale[0][1] == "#bdbdbd"
    payload = json.dumps(
        map_spec(
            stations(["red", "red", "blue", "yellow", "ungraded"]), SHAPES_URL, BORDERS, LABELS
        )
    )
    assert "coordinates" not in payload  # no area is sent with a month


def test_hover_names_everything_and_click_data_carries_the_station_url():
    figure = station_map_figure(stations(["orange"]), SHAPES_URL, BORDERS, LABELS)
    trace = choropleths(figure)[0]
    assert list(trace.customdata[0]) == [
        "Station 1",
        "North",
        "89.00",
        "1",
        "label-orange",
        "up 1 place",
        "/stations/C1/",
    ]
    for word in ("County", "Score", "Rank", "Change", "%{customdata[4]}"):
        assert word in trace.hovertemplate


def test_grades_are_written_on_the_areas_and_counties_named():
    figure = station_map_figure(stations(["red", "green"]), SHAPES_URL, BORDERS, LABELS)
    texts = [trace for trace in figure.data if trace.type == "scattergeo" and trace.mode == "text"]
    assert [list(trace.text) for trace in texts] == [["re", "gr"], ["North"]]
    assert list(texts[0].textfont.color) == ["#ffffff", "#ffffff"]


def test_the_map_needs_no_base_map_and_highlights_the_own_station():
    spec = map_spec(stations(["red", "blue"]), SHAPES_URL, BORDERS, LABELS)
    spec["data"].append(own_station_trace(AREAS[2]))  # as the views add it, per viewer
    figure = go.Figure(spec)
    assert figure.layout.geo.visible is False
    assert figure.layout.geo.fitbounds == "locations"
    outline = figure.data[-1]  # drawn last: on top of every area
    borders = [
        trace for trace in figure.data if trace.type == "scattergeo" and trace.mode == "lines"
    ]
    assert outline.type == "scattergeo" and outline is not borders[0]
    # It goes round the own station's area and stands out from the county borders.
    assert list(outline.lon[:5]) == [121.2, 121.3, 121.3, 121.2, 121.2]
    assert outline.line.width > borders[0].line.width
    assert outline.line.color not in {borders[0].line.color, *GRADE_FILLS.values()}


def test_compact_map_has_no_county_names():
    frame = stations(["red"])
    figure = station_map_figure(frame, SHAPES_URL, BORDERS, LABELS, compact=True)
    assert [(t.type, getattr(t, "mode", None)) for t in figure.data] == [
        ("choropleth", None),
        ("scattergeo", "lines"),
        ("scattergeo", "text"),  # the grade marks stay: colour is never alone
    ]
    assert list(figure.data[2].text) == ["re"]
    assert list(choropleths(figure)[0].locations) == ["C1"]


def counties(levels: list[str]) -> pd.DataFrame:
    rows = [
        {
            "key": key,
            "name": f"County <{key}>",
            "level": level,
            "level_label": f"Average grade: {level}",
            "mark": level[:2],
            "red_text": "Red: 1 of 3 (33%)",
            "counts_text": "Red 1 · Blue 2",
            "url": f"?county={key}",
            "label_lon": 121.0 + key,
            "label_lat": 29.0,
        }
        for key, level in enumerate(levels, start=1)
    ]
    return pd.DataFrame(rows, columns=list(COUNTY_COLUMNS))


def test_a_large_company_is_drawn_county_by_county_named_and_labelled():
    labels = CountyLabels(stations="Stations:", open_hint="Click to see its stations")
    spec = county_map_figure(counties(["blue", "red", "blue"]), "/shapes/counties.json", labels)
    figure = go.Figure(spec)
    traces = choropleths(figure)
    assert [(t.name, list(t.locations)) for t in traces] == [
        ("Average grade: red", ["2"]),
        ("Average grade: blue", ["1", "3"]),
    ]
    assert all(t.geojson == "/shapes/counties.json" for t in traces)
    assert traces[1].colorscale[0][1] == GRADE_COLOURS["blue"][0]
    # The click opens the county's stations; names are escaped for plotly's HTML subset.
    assert traces[0].customdata[0][0] == "County &lt;2&gt;"
    assert traces[0].customdata[0][6] == "?county=2"
    assert "Click to see its stations" in traces[0].hovertemplate
    marks = next(t for t in figure.data if t.type == "scattergeo")
    assert list(marks.text) == [
        "County &lt;1&gt;<br>bl",
        "County &lt;2&gt;<br>re",
        "County &lt;3&gt;<br>bl",
    ]


def test_a_unit_draws_its_children_as_areas_or_markers_that_open_them():
    """A province's map: a child with an outline is an area, one without a marker; both
    carry the name and the grade's short label, and a click opens the child."""
    labels = CountyLabels(stations="Stations:", open_hint="Click to open it")
    children = counties(["blue", "yellow"])
    children["url"] = ["/org/NB/", "/map/?company=2"]
    children["area"] = [True, False]
    square = [[[121.0, 29.0], [121.5, 29.0], [121.5, 29.5], [121.0, 29.0]]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "1", "geometry": {"type": "Polygon", "coordinates": square}}
        ],
    }
    figure = go.Figure(unit_map_figure(children[list(UNIT_COLUMNS)], geojson, labels))
    (area,) = choropleths(figure)
    assert list(area.locations) == ["1"] and area.geojson["features"][0]["id"] == "1"
    assert area.customdata[0][6] == "/org/NB/"
    marker = next(t for t in figure.data if t.type == "scattergeo" and t.mode == "markers+text")
    assert list(marker.text) == ["County &lt;2&gt;<br>ye"]
    assert list(marker.marker.color) == [GRADE_COLOURS["yellow"][0]]
    assert marker.customdata[0][6] == "/map/?company=2"
    assert "Click to open it" in marker.hovertemplate


#: Each grade's fill colour (the one place: scoring/engine/grades.py).
GRADE_FILLS = {grade: fill for grade, (fill, _ink) in GRADE_COLOURS.items()}


def _points(segment: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in point.split(",")) for point in segment.split()]


def test_sparkline_breaks_at_missing_months_and_colours_each_dot():
    line = sparkline([100.0, 0.0, None, 50.0, 60.0], ["red", "yellow", "", "blue", "blue"])
    first, second = (_points(segment) for segment in line["segments"])  # broken at the gap
    xs = [x for x, _y in first + second]
    assert len(first) == len(second) == 2 and xs == sorted(xs)  # months left to right
    assert first[1][0] < second[0][0] - (second[1][0] - second[0][0])  # a month left out
    inside = all(0 <= x <= line["width"] and 0 <= y <= line["height"] for x, y in first + second)
    assert inside
    (_x, y100), (_x0, y0) = first
    (_x50, y50), (_x60, y60) = second
    assert y100 < y60 < y50 < y0  # a higher score is drawn higher
    assert [(x, y) for x, y, _fill in line["dots"]] == first + second  # a dot on each month
    grades = [GRADE_FILLS[grade] for grade in ("red", "yellow", "blue", "blue")]
    assert [fill for _x, _y, fill in line["dots"]] == grades


def test_sparkline_of_a_single_month_is_a_dot():
    line = sparkline([40.0], ["green"])
    assert line["segments"] == [] and len(line["dots"]) == 1


def test_distribution_stacks_grades_best_first_with_counts_as_text():
    counts = pd.DataFrame(
        [("2026-09", "red", 2), ("2026-09", "yellow", 1), ("2026-10", "red", 3)],
        columns=["period", "grade", "count"],
    )
    labels = {g: g.upper() for g in ("red", "orange", "blue", "green", "yellow", "ungraded")}
    figure = grade_distribution_figure(counts, labels, count_label="Stations")
    assert figure.layout.barmode == "stack"
    assert [(t.name, list(t.x), list(t.y)) for t in figure.data] == [
        ("RED", ["2026-09", "2026-10"], [2, 3]),
        ("YELLOW", ["2026-09", "2026-10"], [1, 0]),
    ]
    assert list(figure.data[1].text) == ["1", ""]


@pytest.mark.parametrize("with_median", [True, False])
def test_score_history_with_the_company_median(with_median):
    frame = pd.DataFrame(
        {
            "period": ["2026-09", "2026-10"],
            "score": [40.0, 55.5],
            "grade": ["green", "blue"],
            "grade_label": ["g", "b"],
        }
    )
    if with_median:
        frame["median"] = [50.0, 51.0]
    figure = score_history_figure(frame, score_label="Score", title="T", median_label="Median")
    assert len(figure.data) == (2 if with_median else 1)
    if with_median:
        assert list(figure.data[1].y) == [50.0, 51.0] and figure.data[1].name == "Median"


def test_names_from_data_cannot_inject_markup_into_the_map():
    frame = stations(["red"])
    frame.loc[0, "name"] = '<a href="https://evil.example">%{x}</a>'
    borders = [{**BORDERS[0], "name": "<b>North</b>"}]
    figure = station_map_figure(frame, AREAS, borders, LABELS)
    trace = choropleths(figure)[0]
    assert trace.customdata[0][0] == "&lt;a href=&quot;https://evil.example&quot;&gt;%{x}&lt;/a&gt;"
    assert trace.customdata[0][6] == "/stations/C1/"  # the URL is data, never shown
    names = [t for t in figure.data if t.type == "scattergeo" and t.mode == "text"][-1]
    assert list(names.text) == ["&lt;b&gt;North&lt;/b&gt;"]


#: plotly's rich-text tags that it draws as style attributes (blocked by the CSP).
STYLED_TEXT = re.compile(r"<(b|i|em|sup|sub|span|s|u)[ >]", re.IGNORECASE)


def plotly_texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in plotly_texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in plotly_texts(item)]
    return []


def test_no_figure_uses_text_that_plotly_styles_inline():
    """The site's CSP allows no style attribute: the map's hover once showed the station in
    <b>, which plotly draws as <tspan style="font-weight:bold"> (a CSP violation)."""
    history = pd.DataFrame(
        {"period": ["2026-09"], "score": [40.0], "grade": ["green"], "grade_label": ["g"]}
    )
    counts = pd.DataFrame([("2026-09", "red", 2)], columns=["period", "grade", "count"])
    figures = [
        map_spec(stations(["red", "green"]), AREAS, BORDERS, LABELS),
        score_history_figure(history, score_label="S", title="T").to_plotly_json(),
        grade_distribution_figure(counts, {"red": "R"}, count_label="N").to_plotly_json(),
    ]
    texts = [text for figure in figures for text in plotly_texts(figure)]
    assert [text for text in texts if STYLED_TEXT.search(text)] == []


def test_sparkline_writes_the_last_grade_on_a_badge_in_its_colours():
    """Not by colour alone: the last scored month's grade gets a badge right of the
    line (the caller writes its short label), in the grade's fill and text colour."""
    line = sparkline([55.0, 70.0, None], ["blue", "green", ""], width=96)
    last = line["last"]
    assert last["grade"] == "green"
    assert (last["fill"], last["ink"]) == GRADE_COLOURS["green"]
    xs = [x for x, _y, _fill in line["dots"]]
    assert max(xs) < last["x"] < last["text_x"] < last["x"] + last["width"] <= line["width"]
    assert 0 <= last["y"] < last["text_y"] <= last["y"] + last["height"] <= line["height"]
    assert sparkline([None, None], ["", ""])["last"] is None
