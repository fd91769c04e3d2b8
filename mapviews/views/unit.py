"""A unit's page (a province, a group): its children on a map, coloured by their
stations' average grade, and their grade shares and share of red month by month.

Children are compared by grade shares, never by scores (``mapviews.units``). Only
superusers and the members of the unit or of a unit above it may open it; anyone else
gets a 404, as for a unit that does not exist.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.periods import add_months, format_period
from mapviews import selectors, units
from mapviews.breadcrumbs import company_url, trail_scope, unit_trail, unit_url, viewer_unit
from mapviews.maps import UNIT_COLUMNS, CountyLabels, unit_map_figure
from mapviews.pagecache import render_kept
from mapviews.staticfinders import plotly_static_path
from scoring.engine.grades import ALL_GRADES, GRADE_ORDER, RED, UNGRADED
from scoring.grades import grade_display
from scoring.viewer import parse_month
from stations.models import Company, OrgUnit
from stations.unitscope import may_see_unit
from stations.unitshapes import ChildShape, child_shapes


@require_GET
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, code=code)
    if not may_see_unit(request.user, unit, viewer_unit(request)):
        raise Http404
    return render_kept(
        request,
        "mapviews/unit",
        lambda: unit_context(request, unit),
        scope=(unit.pk, *trail_scope(request)),
        keep=("unit_name", "unit_code", "period", "period_scored", "plotly_js"),
    )


def unit_context(request: HttpRequest, unit: OrgUnit) -> dict:
    tree = units.unit_tree(unit)
    months = units.unit_months(tree.company_ids)
    periods = [month.period for month in months]
    period = parse_month(request.GET.get("period", "")) or units.opening_month(months)
    context: dict = {
        "unit": unit,
        "unit_name": unit.name,
        "unit_code": unit.code,
        "crumbs": unit_trail(request, unit),
        "children_count": len(tree.children),
        "companies_count": len(tree.company_ids),
        "periods": [format_period(p) for p in periods],
        "period": format_period(period) if period else None,
        "period_scored": period in periods,
        "previous_period": _neighbour(period, -1, periods),
        "next_period": _neighbour(period, 1, periods),
        "plotly_js": plotly_static_path(),
    }
    if period is None or period not in periods:
        return context
    shown = units.history_months(period, months)
    rows = units.child_shares(tree, period, shown)
    totals = dict.fromkeys(ALL_GRADES, 0)
    for row in rows:
        for grade, count in row.counts.items():
            totals[grade] += count
    mix = units.method_mix(tree.company_ids, period)
    context.update(
        rows=[_table_row(row, period) for row in rows],
        history_periods=[format_period(p) for p in shown],
        history_rows=[_history_row(row, shown, period) for row in rows],
        legend=selectors.legend(totals),
        provisional=any(row.provisional for row in rows),
        mixed_methods=mix.mixed,
        figure=_figure(rows),
        grades=[grade_display(code) for code in GRADE_ORDER],
    )
    return context


def _neighbour(period: date | None, step: int, periods: list[date]) -> str | None:
    if period is None:
        return None
    found = add_months(period, step)
    return format_period(found) if found in periods else None


def child_url(child: units.UnitChild, period: date | None = None) -> str:
    """The child's page (its unit page, or the company's map), at ``period``."""
    if child.kind == units.UNIT:
        url = unit_url(OrgUnit(pk=child.pk, code=child.code))
    else:
        url = company_url(Company(pk=child.pk, name=child.name))
    if period is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}period={format_period(period)}"


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def _table_row(row: units.ChildShares, period: date) -> dict:
    return {
        "name": row.child.name,
        "url": child_url(row.child, period),
        "kind": row.child.kind,
        "level": grade_display(row.level),
        "graded": row.graded,
        "stations": row.stations,
        "ungraded": row.counts[UNGRADED],
        "red_share": _percent(row.red_share),
        "cells": [(row.counts[code], _percent(row.share(code))) for code in GRADE_ORDER],
        "companies": len(row.child.company_ids),
        "companies_graded": row.companies_graded,
        "provisional": row.provisional,
    }


def _history_row(row: units.ChildShares, months: list[date], period: date) -> dict:
    return {
        "name": row.child.name,
        "url": child_url(row.child, period),
        "shares": [_percent(row.red_history.get(month)) for month in months],
    }


def _figure(rows: list[units.ChildShares]) -> dict:
    shapes = child_shapes([(row.child.key, row.child.company_ids) for row in rows])
    records = [_map_record(row, shapes.get(row.child.key)) for row in rows]
    drawn = [record for record in records if record is not None]
    frame = pd.DataFrame.from_records(drawn, columns=list(UNIT_COLUMNS))
    features = [
        {"type": "Feature", "id": key, "geometry": shape.geometry}
        for key, shape in shapes.items()
        if shape.geometry
    ]
    labels = CountyLabels(stations=_("Stations:"), open_hint=_("Click to open it"))
    return unit_map_figure(frame, {"type": "FeatureCollection", "features": features}, labels)


def _map_record(row: units.ChildShares, shape: ChildShape | None) -> dict | None:
    if shape is None or shape.label is None:
        return None
    level = row.level
    display = grade_display(level)
    graded = row.graded
    return {
        "key": row.child.key,
        "name": row.child.name,
        "level": display.code,
        "level_label": _("Average grade: %(grade)s") % {"grade": display.label}
        if level
        else _("No station graded"),
        "mark": display.short_name if level else "–",
        "red_text": _("Red: %(red)s of %(total)s graded (%(share)s)")
        % {"red": row.counts[RED], "total": graded, "share": _percent(row.red_share)},
        "counts_text": " · ".join(
            f"{grade_display(code).colour_name} {row.counts[code]}"
            for code in ALL_GRADES
            if row.counts[code]
        ),
        "url": child_url(row.child),
        "label_lon": shape.label[0],
        "label_lat": shape.label[1],
        "area": shape.geometry is not None,
    }
