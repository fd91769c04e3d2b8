"""The map (home page) and its month data for the play control (the homepage widget,
which shares the map's figure, is in ``widget``)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import format_period, previous_period
from mapviews import answers, selectors
from mapviews.breadcrumbs import company_trail, trail_scope
from mapviews.filters import carries_filters
from mapviews.gzipjoin import Piece, piece
from mapviews.maps import (
    COUNTY_COLUMNS,
    STATION_COLUMNS,
    CountyLabels,
    MapLabels,
    county_map_figure,
    own_station_trace,
    station_map_figure,
)
from mapviews.pagecache import kept, render_kept
from mapviews.staticfinders import plotly_static_path
from mapviews.text import change_text, own_month_text
from mapviews.views.shapes import shape_url
from scoring.engine.grades import GRADE_ORDER, RED, UNGRADED, average_grade
from scoring.engine.sensitivity import colour_is_uncertain
from scoring.grades import grade_display, ungraded_reason_text
from scoring.models import SensitivityRun
from scoring.monthstate import is_provisional
from scoring.regrade_text import regrade_plain_text
from scoring.selectors import latest_sensitivity, regrade_note
from scoring.viewer import MonthChoice, chosen_month, month_context
from stations.areas import CACHE_SECONDS as SHAPES_CACHE_SECONDS
from stations.areas import CountyShape, county_shapes, shapes_digest
from stations.shapefiles import COUNTIES, STATIONS, county_part, document_features


@require_GET
@carries_filters()
def map_page(request: HttpRequest) -> HttpResponse:
    """The map; its body (everything but the header and the scripts) is kept rendered
    (``mapviews.pagecache``): the viewer's own outline is part of the key."""
    return render_kept(
        request,
        "mapviews/map",
        lambda: _map_context(request),
        scope=trail_scope(request),
        keep=("period", "period_scored", "plotly_js", "print_view"),
    )


def _map_context(request: HttpRequest) -> dict:
    month = chosen_month(request)
    context = month_context(month, request)
    context["plotly_js"] = plotly_static_path()
    # ?print=1: the print view (no header nor controls; the legend and the month kept).
    context["print_view"] = request.GET.get("print") == "1"
    if month.company is not None:
        county = next((c for c in context["counties"] if c.pk == month.county_id), None)
        context["crumbs"] = company_trail(request, month.company, county)
    if month.run is not None:
        data = map_data(month, request)
        context.update(
            figure=data["figure"],
            counts=data["counts"],
            uncertain_note=data["uncertain_note"],
            mode_note=data["mode_note"],
            own_month=data["own_month"],
        )
        context["legend"] = selectors.legend(data["counts"])
    return context


@require_GET
@carries_filters()
def map_month(request: HttpRequest) -> HttpResponse:
    """One month of the map as JSON, for the stepper and the play control; a bad month or
    county is answered in JSON too, as a missing month is. Kept like a page's body (the
    viewer's own outline is in it: ``pagecache.body_key`` holds their station)."""
    try:
        status, answer = kept(request, "mapviews/map-month", lambda: _month_answer(request))
    except BadRequest as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    return answers.joined(request, [answer], content_type="application/json", status=status)


def _month_answer(request: HttpRequest) -> tuple[int, Piece]:
    """The answer's status and JSON (compressed once); a bad parameter raises."""
    month = chosen_month(request)
    if month.run is None:
        status, data = 404, {"error": _("This month has no scores.")}
    else:
        status, data = 200, map_data(month, request, compact=request.GET.get("compact") == "1")
    return status, piece(json.dumps(data, cls=DjangoJSONEncoder).encode())


#: How long a month's map stays cached. Scores, shapes, stations added or moved and the
#: previous month's run are all in the key; only a renamed station can show its old name,
#: for at most this long.
MAP_CACHE_SECONDS = 600
#: Above this many stations in view the map is drawn county by county (a browser takes
#: seconds to draw tens of thousands of areas); a county's stations are a click away.
STATION_DRAW_LIMIT = 5000


def map_data(month: MonthChoice, request: HttpRequest, *, compact: bool = False) -> dict:
    """The month's map figure, counts and stepper neighbours, ready for JSON.

    Everything but the viewer's own outline is the same for every viewer, so it is
    cached; the outline is added per request. The figure names its shapes by URL: the
    browser fetches them once per shapes version.
    """
    inputs = map_inputs(month)
    key = ":".join(str(part) for part in ("map-month", *inputs.parts, int(compact)))
    shared = cache.get(key)
    if shared is None:
        shared = _shared_map_data(month, inputs.digest, compact, inputs.sensitivity)
        cache.set(key, shared, MAP_CACHE_SECONDS)
    data = dict(shared)
    own = selectors.own_station_id(request.user)
    outline = own_outline(month.company.pk, inputs.digest, own, month.county_id) if own else None
    if outline is not None:
        figure = data["figure"]
        data["figure"] = {**figure, "data": [*figure["data"], outline]}
    data["own_month"] = own_month_line(month, own) if own else None
    return data


def own_month_line(month: MonthChoice, station_id: int) -> dict | None:
    """The map's line for a viewer with a station, its colour in words ("梅林供电所
    本月：绿 · 稍差，第 46 名（共 60 个），上月：黄 · 落后"), as the template and the
    month player show it: ``lead``, the grade's ``grade`` code and ``grade_label``, and
    the ``rest``. None when the station is gone."""
    previous = next(
        (run for run in month.runs if run.period == previous_period(month.period)), None
    )
    found = selectors.own_month(station_id, month.run, previous)
    if found is None:
        return None
    grade = grade_display(found.grade)
    text = own_month_text(
        found.name,
        grade,
        found.rank,
        found.graded,
        grade_display(found.previous_grade) if found.previous_grade else None,
        has_previous=found.has_previous,
        provisional=is_provisional(month.run),
    )
    return {"lead": text.lead, "grade": grade.code, "grade_label": grade.label, "rest": text.rest}


@dataclass(frozen=True)
class MapInputs:
    """What a month's map shows besides its run's rows: the run's newest sensitivity
    (without its results), the shapes' fingerprint, and ``parts``, everything a key of
    the month's map is made of (the run, its sensitivity, the previous month's run for
    the changes, the shapes, the language and the county)."""

    sensitivity: SensitivityRun | None
    digest: str
    parts: tuple


def map_inputs(month: MonthChoice) -> MapInputs:
    previous = next(
        (run for run in month.runs if run.period == previous_period(month.period)), None
    )
    sensitivity = latest_sensitivity(month.run, with_results=False)
    digest = shapes_digest(month.company.pk)
    parts = (
        month.run.pk,
        sensitivity.pk if sensitivity else 0,
        previous.pk if previous else 0,
        digest,
        get_language(),
        month.county_id or 0,
        getattr(month.run, "close_state", None) or "",  # provisional or closed
    )
    return MapInputs(sensitivity=sensitivity, digest=digest, parts=parts)


def own_outline(
    company_id: int, digest: str, station_id: int, county_id: int | None
) -> dict | None:
    """The heavy outline of the viewer's station, when the map shows it (kept per
    station and shapes version; read from its county's shapes document)."""
    key = f"own-outline:{company_id}:{digest}:{station_id}:{county_id or 0}"
    outline = cache.get(key)
    if outline is None:
        outline = {}
        station = selectors.station_place(station_id)
        if station is not None and county_id in (None, station.county_id):
            part = county_part(station.county_id)
            feature = document_features(company_id, digest, part).get(station.code)
            if feature is not None:
                outline = own_station_trace(feature["geometry"])
        cache.set(key, outline, SHAPES_CACHE_SECONDS)  # the key names the shapes' version
    return outline or None


def _shared_map_data(
    month: MonthChoice,
    digest: str,
    compact: bool,
    sensitivity: SensitivityRun | None,
) -> dict:
    company_id = month.company.pk
    in_view = selectors.active_station_count(company_id, month.county_id)
    if in_view > STATION_DRAW_LIMIT:
        figure, counts, note = _county_map(month, digest, compact)
        mode_note = _(
            "Each area is a county, coloured by its stations' average grade and labelled "
            "with it; click a county to see its stations."
        )
    else:
        figure, counts, note = _station_map(month, digest, compact, sensitivity)
        mode_note = ""
    return {
        "period": format_period(month.period),
        "previous": month.neighbour(-1),
        "next": month.neighbour(1),
        "figure": figure,
        "counts": counts,
        "count_texts": {code: station_count_text(count) for code, count in counts.items()},
        "regrade_note": _regrade_text(month),
        "provisional": is_provisional(month.run),
        "uncertain_note": note,
        "mode_note": mode_note,
    }


def _station_map(
    month: MonthChoice, digest: str, compact: bool, sensitivity: SensitivityRun | None
) -> tuple[dict, dict, str]:
    """The map station by station: its figure, the legend's counts and the "?" note."""
    part = county_part(month.county_id) if month.county_id else STATIONS
    features = document_features(month.company.pk, digest, part)
    rows = selectors.ranking_rows(month.company.pk, month.period, month.county_id)
    results = latest_sensitivity(month.run) if sensitivity is not None else None
    uncertain = uncertain_colours(
        results, {row.station.pk: row.grade.code for row in rows if row.rank is not None}
    )
    minimum = month.run.method_params.get("coverage_min_pct")
    drawn = [row for row in rows if row.station.code in features]
    frame = pd.DataFrame.from_records(
        [
            _record(row, features[row.station.code]["properties"]["label"], minimum, uncertain)
            for row in drawn
        ],
        columns=list(STATION_COLUMNS),
    )
    borders = [
        {"name": c.name, "lons": c.lons, "lats": c.lats, "label": c.label}
        for c in county_shapes(month.company.pk, digest)
        if c.geometry and month.county_id in (None, c.county_id)
    ]
    labels = MapLabels(
        county=_("County:"), score=_("Score:"), rank=_("Rank:"), change=_("Since last month:")
    )
    url = shape_url(digest, part)
    figure = station_map_figure(frame, url, borders, labels, compact=compact)
    shown = sum(row.station.pk in uncertain for row in drawn)
    return figure, selectors.grade_counts(rows), uncertain_note(sensitivity, shown)


def _county_map(month: MonthChoice, digest: str, compact: bool) -> tuple[dict, dict, str]:
    """The map county by county (no station's row or area is read)."""
    company_id = month.company.pk
    by_county = selectors.county_grade_counts(company_id, month.period)
    records = []
    for county in county_shapes(company_id, digest):
        counts = by_county.get(county.county_id)
        if not county.geometry or not counts:
            continue
        records.append(_county_record(county, counts))
    frame = pd.DataFrame.from_records(records, columns=list(COUNTY_COLUMNS))
    labels = CountyLabels(stations=_("Stations:"), open_hint=_("Click to see its stations"))
    figure = county_map_figure(frame, shape_url(digest, COUNTIES), labels, compact=compact)
    counts = selectors.month_grade_counts(company_id, month.period)
    # No "?" is drawn on a county, so the note explaining it is not shown either.
    return figure, counts, ""


def _county_record(county: CountyShape, counts: dict[str, int]) -> dict:
    level = average_grade(counts)
    display = grade_display(level)
    total = sum(counts.values())
    red = counts.get(RED, 0)
    return {
        "key": county.county_id,
        "name": county.name,
        "level": display.code,
        "level_label": _("Average grade: %(grade)s") % {"grade": display.label}
        if level
        else _("No station graded"),
        "mark": display.short_name if level else "–",
        "red_text": _("Red: %(red)s of %(total)s (%(share)s)")
        % {"red": red, "total": total, "share": f"{red / total:.0%}" if total else "–"},
        "counts_text": " · ".join(
            f"{grade_display(code).colour_name} {counts.get(code, 0)}"
            for code in (*GRADE_ORDER, UNGRADED)
            if counts.get(code)
        ),
        "url": f"?county={county.county_id}",
        "label_lon": county.label[0] if county.label else None,
        "label_lat": county.label[1] if county.label else None,
    }


def _regrade_text(month: MonthChoice) -> str:
    """The month's re-grade note as plain text ("" when its grades are no re-grade)."""
    note = regrade_note(month.company.pk, month.period)
    return regrade_plain_text(note) if note else ""


def station_count_text(count: int) -> str:
    """ "12 stations": the legend's wording (the template uses the same message)."""
    return ngettext("%(counter)s station", "%(counter)s stations", count) % {"counter": count}


def _record(
    row: selectors.RankingRow,
    point: list[float],
    minimum_pct: float | None,
    uncertain: dict[int, str],
) -> dict:
    station, grade = row.station, row.grade
    label, mark = grade.label, grade.short_name
    if row.ungraded_reason:
        reason = ungraded_reason_text(row.ungraded_reason, row.coverage, minimum_pct)
        label = f"{label}: {reason}"
    if station.pk in uncertain:
        label = f"{label} · {uncertain[station.pk]}"
        mark = f"{mark}?"
    lon, lat = point
    return {
        "key": station.pk,
        "code": station.code,
        "name": station.name,
        "county": station.county.name,
        "grade": grade.code,
        "grade_name": grade.label,
        "grade_label": label,
        "mark": mark,
        "score_text": "–" if row.score is None else f"{row.score:.2f}",
        "rank_text": str(row.rank) if row.rank else "–",
        "change_text": change_text(row.rank_change, row.grade_change, row.previous_grade),
        "url": reverse("mapviews:station", args=[station.code]),
        "label_lon": lon,
        "label_lat": lat,
    }


def uncertain_note(sensitivity: SensitivityRun | None, count: int) -> str:
    """The legend's line explaining the "?" after a grade mark ("" when none is shown)."""
    if sensitivity is None or count == 0:
        return ""
    params = sensitivity.params
    return ngettext(
        "“?” after a grade: %(count)s station could have another colour under slightly "
        "different weights (weights varied by ±%(spread)s %%, %(draws)s draws; its colour "
        "held in fewer than %(certain)s %% of them). Point at it for the likely colours.",
        "“?” after a grade: %(count)s stations could have another colour under slightly "
        "different weights (weights varied by ±%(spread)s %%, %(draws)s draws; their colour "
        "held in fewer than %(certain)s %% of them). Point at one for the likely colours.",
        count,
    ) % {
        "count": count,
        "spread": _number(round(params.get("spread", 0) * 100, 1)),
        "draws": params.get("draws"),
        "certain": _number(round(sensitivity.certain_share * 100, 1)),
    }


def _number(value: object) -> str:
    """20.0 → "20", 12.5 → "12.5"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def uncertain_colours(
    sensitivity: SensitivityRun | None, published: dict[int, str]
) -> dict[int, str]:
    """Station → "colour uncertain: 橙 55%, 蓝 45%" for the stations whose published
    grade (``published``: station → grade of the graded stations shown) came out in fewer
    than the run's certain share of the draws."""
    if sensitivity is None:
        return {}
    texts = {}
    for key, found in sensitivity.results.items():
        station = int(key)
        shares = found["shares"]
        if station not in published:
            continue
        if not colour_is_uncertain(shares, published[station], sensitivity.certain_share):
            continue
        likely = sorted(shares.items(), key=lambda item: -item[1])[:3]
        parts = ", ".join(
            f"{grade_display(grade).colour_name} {share:.0%}" for grade, share in likely
        )
        texts[station] = _("colour uncertain under other weights: %(shares)s") % {"shares": parts}
    return texts
