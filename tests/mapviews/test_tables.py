"""The tables sorted and paged in SQL list what the rows sorted in Python listed."""

from __future__ import annotations

import pytest

from mapviews import selectors
from mapviews.sorting import sort_rows
from mapviews.tables import RankingTable, month_moves, ranking_rows, ranking_table
from scoring.models import ScoreRun
from tests.factories import StationFactory
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

pytestmark = pytest.mark.django_db

IN_PYTHON = {
    "rank": lambda row: row.rank,
    "station": lambda row: row.station.code,  # names sort by code here (names = codes)
    "county": lambda row: row.station.county.name,
    "score": lambda row: row.score,
    "change": lambda row: row.rank_change,
}


def shown(rows) -> list[tuple]:
    return [
        (row.station.code, row.rank, row.score, row.grade.code, row.ungraded_reason,
         row.previous_rank, row.previous_grade and row.previous_grade.code)
        for row in rows
    ]  # fmt: skip


@pytest.mark.parametrize("key", list(RankingTable.SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_ranking_in_sql_lists_the_rows_in_pythons_order(scored, key, descending):
    county = scored[0].county
    newcomers = [StationFactory(code=f"N{n}", name=f"N{n}", county=county) for n in range(3)]
    score_month(newcomers[:2], OCTOBER, [25, None])  # N2: added after the run
    for station in scored:
        station.name = station.code
        station.save()
    company = county.company_id
    expected = sort_rows(selectors.ranking_rows(company, OCTOBER), IN_PYTHON[key], descending)
    table = ranking_table(company, OCTOBER)
    assert shown(ranking_rows(table.in_order(key, descending))) == shown(expected)
    total, counts = table.totals()
    assert total == len(expected) == 6
    assert counts == selectors.grade_counts(expected)


def test_month_moves_of_a_county_and_of_the_company(scored):
    """S1 moved up (yellow → orange), S2 down (blue → green), S3 lost its grade."""
    county = scored[0].county
    other = county.company.counties.create(name="江北")
    StationFactory(county=other)  # in no run
    runs = dict(ScoreRun.objects.filter(is_current=True).values_list("period", "pk"))
    for county_id in (None, county.pk):
        moves = month_moves(runs[SEPTEMBER], runs[OCTOBER], county_id)
        assert moves.up == [(scored[0].pk, "yellow")] and moves.down == [(scored[1].pk, "blue")]
        assert (moves.up_count, moves.down_count) == (1, 1)
        assert moves.counts[("red", "ungraded")] == 1 and sum(moves.counts.values()) == 3
    assert month_moves(runs[SEPTEMBER], runs[OCTOBER], other.pk).counts == dict.fromkeys(
        moves.counts, 0
    )
