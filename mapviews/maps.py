"""The five-colour map as a plotly figure (JSON form): DataFrame and shapes in, figure out.

Plotly reads hover and label text as a small subset of HTML, so every name that
comes from data (stations, counties) is HTML-escaped before it goes in.

No ORM here. One choropleth trace per grade lists only its own stations; the
areas themselves are not in the figure but in a GeoJSON document the traces name
by URL (``geojson_url``), which plotly fetches once and the browser keeps, so a
month sends only its grades. Geo traces need no base map: the geo layer is hidden
and the page points plotly's ``topojsonURL`` at a local stub, so the browser never
asks plotly's CDN for ``world_110m.json``.

A company too large to draw station by station (``county_map_figure``) is drawn
county by county, each coloured by its stations' average grade and labelled with it;
a click opens the county's stations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS

#: Columns the ``stations`` frame must have, one row per station to draw.
STATION_COLUMNS = (
    "key",  # station id: the key of ``areas``
    "code",
    "name",
    "county",
    "grade",  # grade code
    "grade_name",  # e.g. "红 · 优秀"
    "grade_label",  # the grade name, with the reason when ungraded
    "mark",  # short text drawn on the area, e.g. "优"
    "score_text",
    "rank_text",
    "change_text",
    "url",
    "label_lon",
    "label_lat",
)
AREA_OUTLINE = "#ffffff"
BORDER_COLOUR = "#1a1a1a"
HIGHLIGHT_COLOUR = "#000000"


@dataclass(frozen=True)
class MapLabels:
    """Translated labels for the hover box, each with its colon ("County:" / "区县：")."""

    county: str
    score: str
    rank: str
    change: str


def station_map_figure(
    stations: pd.DataFrame,
    geojson_url: str,
    borders: Sequence[dict],
    labels: MapLabels,
    *,
    compact: bool = False,
) -> dict:
    """The company map for one month, as a plotly figure in its JSON form.

    ``stations``: the stations that have an area in the document at ``geojson_url``
    (features keyed by station code). ``borders``: one dict per county with ``name``,
    ``lons``/``lats`` (its outline, rings split by None) and ``label`` (lon, lat) or
    None.

    A plain dict rather than a ``go.Figure``: building the graph objects costs
    most of a page's time (they copy and check every coordinate). The tests
    load every variant into ``go.Figure``, which rejects any invalid property.
    """
    drawn = stations
    data: list[dict] = []
    for grade in ALL_GRADES:
        rows = drawn[drawn["grade"] == grade]
        if not rows.empty:
            data.append(_grade_trace(grade, rows, geojson_url, labels))
    lons: list = []
    lats: list = []
    for border in borders:
        lons.extend(border["lons"])
        lats.extend(border["lats"])
    if lons:
        data.append(
            {
                "type": "scattergeo",
                "lon": lons,
                "lat": lats,
                "mode": "lines",
                "line": {"color": BORDER_COLOUR, "width": 1.6},
                "hoverinfo": "skip",
            }
        )
    if not drawn.empty:
        data.append(_mark_trace(drawn, size=9 if compact else 12))
    named = [b for b in borders if b.get("label")]
    if not compact and named:
        data.append(
            {
                "type": "scattergeo",
                "lon": [b["label"][0] for b in named],
                "lat": [b["label"][1] for b in named],
                "mode": "text",
                "text": [escape(b["name"]) for b in named],
                "textfont": {"size": 15, "color": "#111111", "weight": "bold", "shadow": "auto"},
                "textposition": "top center",
                "hoverinfo": "skip",
            }
        )
    return {"data": data, "layout": _layout(compact)}


def _layout(compact: bool) -> dict:
    return {
        "geo": {
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "bgcolor": "rgba(0,0,0,0)",
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "autosize": True,  # the page's CSS gives the height (smaller on phones)
        "showlegend": False,
        "dragmode": False if compact else "pan",
        "uirevision": "station-map",
        "paper_bgcolor": "rgba(0,0,0,0)",
    }


def _grade_trace(grade: str, rows: pd.DataFrame, geojson_url: str, labels: MapLabels) -> dict:
    fill, ink = GRADE_COLOURS[grade]
    texts = ["name", "county", "score_text", "rank_text", "grade_label", "change_text"]
    customdata = [
        [*(escape(str(value)) for value in row[:-1]), row[-1]]
        for row in rows[[*texts, "url"]].itertuples(index=False, name=None)
    ]
    return {
        "type": "choropleth",
        "geojson": geojson_url,
        "locations": rows["code"].tolist(),
        "z": [1] * len(rows),
        "zmin": 0,
        "zmax": 1,
        "colorscale": [[0, fill], [1, fill]],
        "showscale": False,
        "marker": {"line": {"color": AREA_OUTLINE, "width": 1.2}},
        "name": escape(str(rows["grade_name"].iloc[0])),
        "customdata": customdata,
        # No <b>, <i>, <sup>…: plotly draws them as style attributes, which the
        # Content-Security-Policy blocks (docs/operations.md, Security headers).
        "hovertemplate": (
            "%{customdata[0]}<br>"
            f"{labels.county} %{{customdata[1]}}<br>"
            f"{labels.score} %{{customdata[2]}}<br>"
            f"{labels.rank} %{{customdata[3]}}<br>"
            "%{customdata[4]}<br>"
            f"{labels.change} %{{customdata[5]}}<extra></extra>"
        ),
        "hoverlabel": {"bgcolor": fill, "font": {"color": ink}, "bordercolor": BORDER_COLOUR},
    }


def _mark_trace(rows: pd.DataFrame, size: int) -> dict:
    """The grade's short label on each area: colour is never the only signal."""
    return {
        "type": "scattergeo",
        "lon": rows["label_lon"].tolist(),
        "lat": rows["label_lat"].tolist(),
        "mode": "text",
        "text": [escape(str(mark)) for mark in rows["mark"]],
        "textfont": {"size": size, "color": [GRADE_COLOURS[g][1] for g in rows["grade"]]},
        "hoverinfo": "skip",
    }


#: Columns of the ``counties`` frame of ``county_map_figure``, one row per county drawn.
COUNTY_COLUMNS = (
    "key",  # county id: the feature id (as text) in the counties' document
    "name",
    "level",  # grade code of the stations' average grade (ungraded: none graded)
    "level_label",  # e.g. "Average grade: 蓝 · 中等"
    "mark",  # short text drawn with the name, e.g. "蓝"
    "red_text",  # e.g. "Red: 12 of 300 (4 %)"
    "counts_text",  # e.g. "红 12 · 橙 40 · …"
    "url",  # the county's stations
    "label_lon",
    "label_lat",
)


@dataclass(frozen=True)
class CountyLabels:
    """Translated lines of a county's hover box."""

    stations: str  # "Stations:"
    open_hint: str  # "Click to see its stations"


def county_map_figure(
    counties: pd.DataFrame, geojson_url: str | dict, labels: CountyLabels, *, compact: bool = False
) -> dict:
    """The map of a company too large to draw station by station: one area per county
    (features keyed by county id in the document at ``geojson_url``), coloured by its
    stations' average grade, named and labelled with that grade on the map."""
    data: list[dict] = []
    for grade in ALL_GRADES:
        rows = counties[counties["level"] == grade]
        if rows.empty:
            continue
        fill, ink = GRADE_COLOURS[grade]
        fields = ["name", "level_label", "red_text", "counts_text"]
        customdata = [
            [*(escape(str(value)) for value in row[:-1]), "", "", row[-1]]
            for row in rows[[*fields, "url"]].itertuples(index=False, name=None)
        ]
        data.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "locations": [str(key) for key in rows["key"]],
                "z": [1] * len(rows),
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, fill], [1, fill]],
                "showscale": False,
                "marker": {"line": {"color": BORDER_COLOUR, "width": 1.6}},
                "name": escape(str(rows["level_label"].iloc[0])),
                "customdata": customdata,
                "hovertemplate": (
                    "%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<br>"
                    f"{labels.stations} %{{customdata[3]}}<br>{labels.open_hint}<extra></extra>"
                ),
                "hoverlabel": {
                    "bgcolor": fill,
                    "font": {"color": ink},
                    "bordercolor": BORDER_COLOUR,
                },
            }
        )
    if not counties.empty:
        data.append(
            {
                "type": "scattergeo",
                "lon": counties["label_lon"].tolist(),
                "lat": counties["label_lat"].tolist(),
                "mode": "text",
                "text": [
                    f"{escape(str(name))}<br>{escape(str(mark))}"
                    for name, mark in zip(counties["name"], counties["mark"], strict=True)
                ],
                "textfont": {
                    "size": 11 if compact else 14,
                    "color": [GRADE_COLOURS[level][1] for level in counties["level"]],
                },
                "hoverinfo": "skip",
            }
        )
    return {"data": data, "layout": _layout(compact)}


#: Columns of the ``children`` frame of ``unit_map_figure``: a county's, and whether the
#: child has an area (else it is drawn as a marker at ``label_lon``/``label_lat``).
UNIT_COLUMNS = (*COUNTY_COLUMNS, "area")


def unit_map_figure(
    children: pd.DataFrame, geojson: dict, labels: CountyLabels, *, compact: bool = False
) -> dict:
    """A unit's map: one area per child (a unit or a company; features keyed by the
    child's key in ``geojson``, given inline: a province's few outlines), drawn as
    ``county_map_figure`` draws counties, coloured by its stations' average grade and
    labelled with its name and that grade; a child without an area is a marker with the
    same label and hover. A click opens the child (its ``url``)."""
    areas = children[children["area"].astype(bool)] if not children.empty else children
    points = children[~children["area"].astype(bool)] if not children.empty else children
    figure = county_map_figure(areas, geojson, labels, compact=compact)
    if not points.empty:
        fields = ["name", "level_label", "red_text", "counts_text"]
        figure["data"].append(
            {
                "type": "scattergeo",
                "lon": points["label_lon"].tolist(),
                "lat": points["label_lat"].tolist(),
                "mode": "markers+text",
                "marker": {
                    "size": 26 if compact else 34,
                    "color": [GRADE_COLOURS[level][0] for level in points["level"]],
                    "line": {"color": BORDER_COLOUR, "width": 1.6},
                },
                "text": [
                    f"{escape(str(name))}<br>{escape(str(mark))}"
                    for name, mark in zip(points["name"], points["mark"], strict=True)
                ],
                "textposition": "bottom center",
                "textfont": {"size": 11 if compact else 14, "color": "#111111"},
                "customdata": [
                    [*(escape(str(value)) for value in row[:-1]), "", "", row[-1]]
                    for row in points[[*fields, "url"]].itertuples(index=False, name=None)
                ],
                "hovertemplate": (
                    "%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<br>"
                    f"{labels.stations} %{{customdata[3]}}<br>{labels.open_hint}<extra></extra>"
                ),
                "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": BORDER_COLOUR},
            }
        )
    return figure


def own_station_trace(geometry: dict) -> dict:
    """A heavy outline around the viewer's own station."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    lons: list[float | None] = []
    lats: list[float | None] = []
    for polygon in polygons:
        for ring in polygon:
            lons.extend(point[0] for point in ring)
            lats.extend(point[1] for point in ring)
            lons.append(None)
            lats.append(None)
    return {
        "type": "scattergeo",
        "lon": lons,
        "lat": lats,
        "mode": "lines",
        "line": {"color": HIGHLIGHT_COLOUR, "width": 4},
        "hoverinfo": "skip",
    }
