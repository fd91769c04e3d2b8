"""The weak stations and the month's counts read in the database agree with the engine's
rules (``improvement.engine.weakness``) on months of varied data."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from improvement.engine.weakness import WEAK_GRADES, streak, weak_stations, yellow_below
from improvement.selectors import grade_history, month_grades
from improvement.selectors.monthcounts import month_counts, moves
from improvement.selectors.weaklist import weak_counts, weak_order, weak_scores, weak_streaks
from indicators.models import Indicator
from indicators.periods import add_months
from scoring.engine.grades import grade_position
from tests.builders import score_month
from tests.factories import StationFactory

JUL, AUG, SEP = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        ([80.0, 60.0, 40.0, 20.0, 0.0], 20.0),
        ([80.0, None, 40.0, None, 0.0], 40.0),  # the lowest threshold above yellow
        ([None, None, None, None, 0.0], math.inf),  # nothing reached: every value yellow
        ([70.12345, 60.0, 50.0, 40.00004, 0.0], 40.0),  # compared at 4 decimals
        (None, None),
        ([], None),
    ],
)
def test_yellow_below(thresholds, expected):
    assert yellow_below(thresholds, 4) == expected


@pytest.fixture
def varied(company):
    """40 stations in two counties over three months: each indicator's value drawn at
    random (a few missing), so stations are weak by their grade, by their indicators,
    or both, in every combination."""
    rng = random.Random(16)
    counties = [company.counties.create(name=name) for name in ("海曙", "鄞州")]
    stations = [StationFactory(code=f"V{n:02d}", county=counties[n % 2]) for n in range(1, 41)]
    codes = list(Indicator.objects.values_list("code", flat=True))
    runs = {}
    for period in (JUL, AUG, SEP):
        values = [
            {code: round(rng.uniform(0, 100), 1) for code in codes if rng.random() > 0.05}
            for _station in stations
        ]
        runs[period] = score_month(stations, period, values)
    return stations, runs


@pytest.mark.django_db
def test_the_weak_stations_in_the_database_are_the_engines_in_its_order(varied):
    stations, runs = varied
    company_id = stations[0].county.company_id
    for period in (JUL, AUG, SEP):
        month = month_grades(company_id, period)
        expected = weak_stations(month.grades, month.indicator_grades)
        found = weak_scores(runs[period])
        assert list(found.values_list("station_id", flat=True)) == expected
        assert 0 < len(expected) < len(stations)  # both kinds of station are there
        lagging = month.indicator_grades.eq("yellow").sum(axis=1)
        assert {row.station_id: row.lagging for row in found} == {
            station_id: lagging[station_id] for station_id in expected
        }
    county = stations[0].county
    in_county = weak_scores(runs[SEP], county.pk).values_list("station__county", flat=True)
    assert set(in_county) == {county.pk}


@pytest.mark.django_db
def test_the_order_is_read_once_per_run_and_counted_without_queries(
    varied, django_assert_num_queries
):
    stations, runs = varied
    ids = list(weak_scores(runs[SEP]).values_list("station_id", flat=True))
    assert list(weak_order(runs[SEP])) == ids
    county = stations[0].county
    assert list(weak_order(runs[SEP], county.pk)) == list(
        weak_scores(runs[SEP], county.pk).values_list("station_id", flat=True)
    )
    with django_assert_num_queries(0):  # cached by run: a run's rows never change
        order = weak_order(runs[SEP])
        counts = weak_counts(order, {ids[0], ids[1], stations[0].pk + 10_000})
    assert (counts.total, counts.attended, counts.unattended) == (len(ids), 2, len(ids) - 2)


@pytest.mark.django_db
def test_streaks_in_the_database_are_the_engines(varied):
    stations, _runs = varied
    company_id = stations[0].county.company_id
    ids = [station.pk for station in stations]
    history = grade_history(company_id, ids, SEP, 3)
    months = [add_months(SEP, -k) for k in (2, 1, 0)]
    expected = {
        station_id: streak(
            [history[m].grades.get(station_id) if m in history else None for m in months],
            WEAK_GRADES,
        )
        for station_id in ids
    }
    found = weak_streaks(company_id, SEP, 3)
    assert {station_id: found.get(station_id, 0) for station_id in ids} == expected
    assert set(expected.values()) >= {0, 1, 2}
    assert weak_streaks(company_id, SEP, 3, ids[:5]) == {
        station_id: count for station_id, count in found.items() if station_id in ids[:5]
    }


@pytest.mark.django_db
def test_grade_counts_and_moves_in_the_database(varied):
    stations, runs = varied
    company_id = stations[0].county.company_id
    now, before = month_grades(company_id, SEP), month_grades(company_id, AUG)
    counts = month_counts(runs[SEP], runs[AUG])
    assert counts.grades == now.grades.value_counts().to_dict()
    assert counts.previous == before.grades.value_counts().to_dict()
    both = now.scores.join(before.scores, rsuffix="_before", how="inner")
    steps = {
        station_id: grade_position(row["grade_before"]) - grade_position(row["grade"])
        for station_id, row in both.iterrows()
        if grade_position(row["grade"]) is not None
        and grade_position(row["grade_before"]) is not None
    }
    up = sorted(
        (s for s in steps if steps[s] > 0), key=lambda s: (-steps[s], now.scores.at[s, "rank"])
    )
    down = sorted(
        (s for s in steps if steps[s] < 0), key=lambda s: (steps[s], now.scores.at[s, "rank"])
    )
    assert list(moves(runs[SEP], runs[AUG], True).values_list("station_id", flat=True)) == up
    assert list(moves(runs[SEP], runs[AUG], False).values_list("station_id", flat=True)) == down
    assert (counts.moved(True), counts.moved(False)) == (len(up), len(down))
    assert month_counts(runs[JUL], None).previous is None
