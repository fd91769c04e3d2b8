"""A run's weight sensitivity from the month it just computed equals the one read back
from its stored rows (the run passes its result on instead of reading 30,000 rows)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from indicators.models import Indicator
from scoring.services import create_method_version, run_sensitivity
from tests.builders import league_table, run_month, write_values
from tests.factories import CountyFactory, StationFactory

SEPTEMBER = date(2026, 9, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method",
    [None, league_table(), league_table(peer_groups=True)],
    ids=["default", "league table", "peer groups"],
)
def test_the_runs_own_marks_equal_the_marks_read_from_its_rows(method):
    county = CountyFactory()
    stations = [
        StationFactory(county=county, code=f"S{n:02d}", peer_group="urban" if n % 3 else "rural")
        for n in range(40)
    ]
    if method is not None:
        create_method_version(
            company=county.company,
            method=method,
            effective_from=SEPTEMBER,
            reason="test",
            recompute=False,
        )
    rng = np.random.default_rng(7)
    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True))
    write_values(
        SEPTEMBER,
        {
            station: {
                code: float(value)
                for code, value in zip(codes, rng.uniform(0, 100, len(codes)), strict=True)
                if n % 7 or code != codes[0]  # some stations miss an indicator
            }
            for n, station in enumerate(stations)
        },
    )
    run = run_month(county.company, SEPTEMBER)
    own = run.sensitivity_runs.get()  # stored by the run, from its computed month
    read_back = run_sensitivity(run)  # from the stored rows
    assert own.results == read_back.results
    assert own.uncertain_count == read_back.uncertain_count
    assert own.params == read_back.params
    assert len(own.results) == run.graded_count > 0
    assert own.uncertain_count > 0  # random values: some colours are uncertain
