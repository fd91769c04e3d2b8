"""Weight sensitivity by Monte Carlo: exact with no spread, honest with some."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import LEAGUE_TABLE, ScoringMethod, score_period
from scoring.engine.grades import GRADE_ORDER
from scoring.engine.method import NATURAL_BREAKS, THRESHOLDS
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


def draws_one_by_one(normalised, weights, graded, method, groups, limit, spread, draws, seed):
    """The plain reading of the engine's docstring, one draw at a time: the same random
    factors (drawn in chunks of 100), each draw's scores rounded as the month's, ranked by
    ``competition_rank``, graded by ``grade_scores`` (per peer group), then capped."""
    from scoring.engine.compute import competition_rank, round_half_up
    from scoring.engine.grading import grade_scores

    stations = normalised.index[graded.to_numpy()]
    values = normalised.loc[stations, list(weights.index)].to_numpy(dtype=float)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    rng = np.random.default_rng(seed)
    shares = pd.DataFrame(0.0, index=stations, columns=GRADE_ORDER)
    ranks = []
    for done in range(0, draws, 100):
        size = min(100, draws - done)
        drawn = weights.to_numpy(dtype=float) * rng.uniform(1 - spread, 1 + spread, (size, 3))
        sums, present_weights = filled @ drawn.T, present.astype(float) @ drawn.T
        for draw in range(size):
            score = pd.Series(
                round_half_up(sums[:, draw] / present_weights[:, draw], method.decimals),
                index=stations,
            )
            ranks.append(competition_rank(score).to_numpy(dtype=int))
            positions, _used = grade_scores(score, method, groups if method.peer_groups else None)
            positions = np.maximum(positions, limit.reindex(stations).to_numpy())
            for station, position in zip(stations, positions, strict=True):
                shares.loc[station, GRADE_ORDER[position]] += 1 / draws
    ordered = np.sort(np.array(ranks), axis=0)
    low, high = int(np.floor(0.05 * (draws - 1))), int(np.ceil(0.95 * (draws - 1)))
    return shares, ordered[low], ordered[high]


@pytest.mark.parametrize(
    "method",
    [
        LEAGUE_TABLE,
        ScoringMethod(grading=THRESHOLDS, thresholds=(75.0, 60.0, 45.0, 30.0)),
        ScoringMethod(grading=NATURAL_BREAKS),
        replace(LEAGUE_TABLE, peer_groups=True),
        replace(LEAGUE_TABLE, decimals=1, quotas_pct=(10, 20, 40, 20, 10)),
    ],
    ids=["quotas", "thresholds", "natural breaks", "peer groups", "one decimal"],
)
def test_the_fast_draws_equal_the_draws_one_by_one(method):
    """The engine counts ranks from histograms and grades from lookup tables; for a fixed
    seed it must give exactly what grading each draw as a month gives."""
    rng = np.random.default_rng(11)
    values = rng.choice([0.0, 10.0, 25.0, 40.0, 55.0, 70.0, 100.0], size=(40, 3))
    values[rng.random(values.shape) < 0.1] = np.nan
    codes = ["a", "b", "c"]
    weights = pd.Series([1.0, 2.0, 3.0], index=codes)
    normalised = pd.DataFrame(values, columns=codes)
    graded = normalised.notna().any(axis=1)
    groups = pd.Series(rng.choice(["north", "south"], size=40))
    limit = pd.Series(np.where(rng.random(40) < 0.1, 2, 0))
    found = weight_sensitivity(
        normalised, weights, graded, method, groups=groups, cap_limit=limit, draws=250, seed=5
    )
    shares, low, high = draws_one_by_one(
        normalised, weights, graded, method, groups, limit, 0.2, 250, 5
    )
    np.testing.assert_allclose(found.grade_shares.to_numpy(), shares.to_numpy(), atol=1e-12)
    assert found.rank_low.tolist() == low.tolist()
    assert found.rank_high.tolist() == high.tolist()
