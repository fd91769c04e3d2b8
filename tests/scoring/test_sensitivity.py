"""Weight sensitivity by Monte Carlo: exact with no spread, honest with some."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import LEAGUE_TABLE, score_period
from scoring.engine.sensitivity import weight_sensitivity


def month(values: list[list[float | None]], weights: dict[str, float]):
    codes = list(weights)
    frame = pd.DataFrame(
        [[np.nan if v is None else v for v in row] for row in values], columns=codes, dtype=float
    )
    series = pd.Series(weights)
    result = score_period(frame, series, pd.Series(True, index=codes), LEAGUE_TABLE)
    return result, series


@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.5, 4.0])), min_size=3, max_size=3
        ),
        min_size=1,
        max_size=25,
    )
)
@settings(max_examples=60, deadline=None)
def test_without_spread_every_draw_is_the_published_month(rows):
    result, weights = month(rows, {"a": 50.0, "b": 30.0, "c": 20.0})
    graded = result.stations["rank"].notna()
    shares = weight_sensitivity(
        result.normalised, weights, graded, LEAGUE_TABLE, spread=0.0, draws=7
    )
    published = result.stations.loc[graded]
    for station, row in published.iterrows():
        assert shares.grade_shares.loc[station, row["grade"]] == 1.0
        assert shares.rank_low[station] == shares.rank_high[station] == row["rank"]


def test_a_station_between_two_grades_is_uncertain_and_its_shares_add_up():
    # Five stations, two indicators of equal weight: normalised a 100, 0, 70, 50, 10 and
    # b 0, 100, 40, 50, 10, so scores 50, 50, 55, 50, 10. Station 0 scores 100·wa/(wa+wb):
    # above 50 when a's weight is drawn larger, below when b's is.
    result, weights = month([[10, 0], [0, 10], [7, 4], [5, 5], [1, 1]], {"a": 50.0, "b": 50.0})
    graded = result.stations["rank"].notna()
    found = weight_sensitivity(result.normalised, weights, graded, LEAGUE_TABLE, draws=400, seed=3)
    # Station 4 (10 on both) is last in every draw: yellow for sure.
    assert found.grade_shares.loc[4, "yellow"] == 1.0
    assert found.rank_low[4] == found.rank_high[4] == 5
    # Station 0 moves between ranks 2 and 4 (orange … green): its colour is uncertain.
    assert found.grade_shares.loc[0].max() < 1
    assert (found.rank_low[0], found.rank_high[0]) == (2, 4)
    # Every draw grades each station once.
    assert found.grade_shares.sum(axis=1).to_numpy() == pytest.approx(np.ones(5))
    again = weight_sensitivity(result.normalised, weights, graded, LEAGUE_TABLE, draws=400, seed=3)
    pd.testing.assert_frame_equal(found.grade_shares, again.grade_shares)  # same seed
    assert found.params["spread"] == 0.2 and found.params["draws"] == 400
    assert found.params["weights"] == {"a": 50.0, "b": 50.0}
