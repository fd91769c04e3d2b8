"""The sparse proposal (each weak station offered only its best candidates) against the
dense one, and pairing within groups (counties). No database."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from improvement.engine import (
    NO_PARTNER_GRADE,
    NO_PARTNER_IN_GROUP,
    NOT_NEEDED,
    PAIRING_RULE,
    PARTNERS_FULL,
    BenefitRule,
    propose_pairing,
)

CODES = ("a", "b", "c", "d")


def random_month(seed: int, n_yellow: int, n_red: int, *, grid: bool = False, others: int = 6):
    """(normalised, grades, weights, coordinates) with yellow, red, green and orange
    stations (green and orange a third of yellow and red) and a few blue ones."""
    rng = np.random.default_rng(seed)
    counts = {
        "yellow": n_yellow,
        "red": n_red,
        "green": max(1, n_yellow // 3),
        "orange": max(1, n_red // 3),
        "blue": others,
    }
    grades = pd.Series([grade for grade, n in counts.items() for _ in range(n)])
    grades.index = [f"S{n}" for n in range(len(grades))]
    size = len(grades)
    values = (
        rng.integers(0, 11, (size, len(CODES))) * 10.0
        if grid
        else rng.uniform(0, 100, (size, len(CODES)))
    )
    values[rng.random(values.shape) < 0.1] = np.nan
    normalised = pd.DataFrame(values, index=grades.index, columns=list(CODES))
    where = pd.DataFrame(
        {"latitude": rng.uniform(29, 30.5, size), "longitude": rng.uniform(121, 122, size)},
        index=grades.index,
    )
    where.iloc[rng.random(size) < 0.05] = np.nan  # a few without coordinates
    weights = pd.Series(rng.uniform(0.5, 2, len(CODES)), index=list(CODES))
    return normalised, grades, weights, where


def total_km(proposal) -> float:
    return sum(pair.distance_km or 0.0 for pair in proposal.pairs)


def assert_valid(proposal, grades: pd.Series, capacity: int = 1) -> None:
    """Every pair follows the colour rule, a weak station has one partner at most, a
    strong one ``capacity``; every station of a pairing grade is paired or listed."""
    for pair in proposal.pairs:
        assert (grades[pair.weak], grades[pair.strong]) in PAIRING_RULE
        assert (pair.weak_grade, pair.strong_grade) == (grades[pair.weak], grades[pair.strong])
    weak = Counter(pair.weak for pair in proposal.pairs)
    strong = Counter(pair.strong for pair in proposal.pairs)
    assert max(weak.values(), default=1) == 1
    assert max(strong.values(), default=1) <= capacity
    listed = set(weak) | set(strong) | {left.station for left in proposal.unpaired}
    assert listed == set(grades.index[grades.isin({g for rule in PAIRING_RULE for g in rule})])


CASES = list(
    itertools.product(
        range(6),
        [(8, 8, 1), (12, 5, 1), (5, 12, 1), (9, 4, 2), (30, 30, 1), (40, 25, 1)],
        [False, True],
    )
)


@pytest.mark.parametrize(("seed", "sides", "grid"), CASES)
def test_with_every_candidate_the_sparse_proposal_is_the_dense_optimum(seed, sides, grid):
    """``dense_up_to=0`` forces the sparse proposal; ``candidates`` as many as the weak
    stations covers every pair an optimum can need."""
    n_yellow, n_red, capacity = sides
    normalised, grades, weights, where = random_month(seed, n_yellow, n_red, grid=grid)
    kwargs = {"coordinates": where, "capacity": capacity}

    dense = propose_pairing(normalised, grades, weights, **kwargs)
    sparse = propose_pairing(
        normalised, grades, weights, **kwargs, dense_up_to=0, candidates=n_yellow
    )

    assert (dense.sparse, sparse.sparse) == (False, True)
    assert sparse.exact
    assert sparse.total_benefit == dense.total_benefit
    assert sparse.optimum_bound == dense.total_benefit
    assert total_km(sparse) == pytest.approx(total_km(dense), abs=1e-6)
    assert len(sparse.pairs) == len(dense.pairs)
    # (The pairs themselves may differ only between pairings equal in benefit and
    # distance, e.g. two stations without coordinates.)
    assert Counter(u.reason for u in sparse.unpaired) == Counter(u.reason for u in dense.unpaired)
    assert_valid(sparse, grades, capacity)


def top_k_columns(rule: BenefitRule, normalised, weak, strong, k: int) -> dict:
    """Each weak station's k strong stations of most benefit (no ties in these cases)."""
    matrix = rule.matrix(rule.values(normalised, weak), rule.values(normalised, strong))
    order = np.argsort(-matrix, axis=1, kind="stable")[:, :k]
    return {w: {strong[c] for c in order[n]} for n, w in enumerate(weak)}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_with_few_candidates_the_pairing_is_valid_full_and_within_its_bound(seed, k):
    n_yellow, n_red = 20, 16
    normalised, grades, weights, where = random_month(seed, n_yellow, n_red)
    dense = propose_pairing(normalised, grades, weights, coordinates=where)
    sparse = propose_pairing(
        normalised, grades, weights, coordinates=where, dense_up_to=0, candidates=k
    )

    assert_valid(sparse, grades)
    # As many pairs as the dense proposal: a station whose candidates were all taken is
    # paired among the stations left.
    assert len(sparse.pairs) == len(dense.pairs)
    assert sparse.total_benefit <= dense.total_benefit <= sparse.optimum_bound
    # The optimum made only of candidates is found.
    rule = dense.rule
    tops = {}
    for weak_grade, strong_grade in PAIRING_RULE:
        weak = list(grades.index[grades == weak_grade])
        strong = list(grades.index[grades == strong_grade])
        tops.update(top_k_columns(rule, normalised, weak, strong, k))
    if all(pair.strong in tops[pair.weak] for pair in dense.pairs):
        assert sparse.total_benefit == dense.total_benefit


def test_an_optimum_made_of_first_choices_is_found_with_one_candidate():
    """Each yellow station's best red one is a different station: one candidate each is
    enough, and the proposal is the dense one."""
    rows = {
        "Y1": ("yellow", 10, 60, 60),
        "Y2": ("yellow", 60, 10, 60),
        "Y3": ("yellow", 60, 60, 10),
        "R1": ("red", 90, 60, 60),
        "R2": ("red", 60, 90, 60),
        "R3": ("red", 60, 60, 90),
    }
    grades = pd.Series({station: row[0] for station, row in rows.items()})
    normalised = pd.DataFrame(
        {station: row[1:] for station, row in rows.items()}, index=["a", "b", "c"], dtype=float
    ).T
    weights = pd.Series(1.0, index=["a", "b", "c"])
    medians = pd.Series(60.0, index=["a", "b", "c"])
    sparse = propose_pairing(
        normalised, grades, weights, medians=medians, dense_up_to=0, candidates=1
    )
    assert sparse.as_pairs() == [("Y1", "R1"), ("Y2", "R2"), ("Y3", "R3")]
    assert sparse.sparse and not sparse.exact
    assert (
        sparse.total_benefit
        == propose_pairing(normalised, grades, weights, medians=medians).total_benefit
    )


def test_a_weak_station_left_over_in_a_sparse_proposal_names_its_best_partner():
    normalised, grades, weights, where = random_month(3, 12, 4)
    dense = propose_pairing(normalised, grades, weights, coordinates=where)
    sparse = propose_pairing(
        normalised, grades, weights, coordinates=where, dense_up_to=0, candidates=2
    )
    left = {u.station: u for u in sparse.unpaired if u.grade in ("yellow", "green")}
    assert left
    expected = {u.station: u for u in dense.unpaired if u.station in left}
    for station, item in left.items():
        assert item.reason == PARTNERS_FULL
        if station in expected:
            assert (item.best_partner, item.best_benefit) == (
                expected[station].best_partner,
                expected[station].best_benefit,
            )


# --- within groups (counties) -----------------------------------------------------------


def test_pairs_stay_within_their_group_and_a_group_without_partners_says_so():
    normalised, grades, weights, where = random_month(5, 10, 10, others=0)
    county = pd.Series(
        ["east" if n % 2 else "west" for n in range(len(grades))], index=grades.index
    )
    # No red station in the north: its one yellow station has no partner there.
    lonely = grades.index[grades == "yellow"][0]
    county[lonely] = "north"
    proposal = propose_pairing(normalised, grades, weights, coordinates=where, groups=county)

    assert proposal.within_groups
    assert proposal.pairs
    assert all(county[pair.weak] == county[pair.strong] for pair in proposal.pairs)
    reasons = {u.station: u.reason for u in proposal.unpaired}
    assert reasons[lonely] == NO_PARTNER_IN_GROUP
    assert_valid(proposal, grades)
    # Each group's pairs are the optimum of that group alone.
    for name in ("east", "west"):
        alone = propose_pairing(
            normalised,
            grades[county == name],
            weights,
            coordinates=where,
            medians=pd.Series(proposal.rule.medians, index=list(proposal.rule.codes)),
        )
        mine = {pair for pair in proposal.as_pairs() if county[pair[0]] == name}
        assert mine == set(alone.as_pairs())


def test_within_groups_the_leftovers_are_of_their_group():
    rows = {
        "Y1": ("yellow", "east", 20),
        "Y2": ("yellow", "east", 30),
        "R1": ("red", "east", 90),
        "R2": ("red", "west", 90),
        "O1": ("orange", "west", 80),
    }
    grades = pd.Series({station: row[0] for station, row in rows.items()})
    county = pd.Series({station: row[1] for station, row in rows.items()})
    normalised = pd.DataFrame({"a": {station: row[2] for station, row in rows.items()}})
    proposal = propose_pairing(
        normalised,
        grades,
        pd.Series({"a": 1.0}),
        medians=pd.Series({"a": 60.0}),
        groups=county,
    )
    assert proposal.as_pairs() == [("Y1", "R1")]
    assert {(u.station, u.reason, u.best_partner) for u in proposal.unpaired} == {
        ("Y2", PARTNERS_FULL, "R1"),  # the east's one red station is taken
        ("R2", NO_PARTNER_IN_GROUP, None),  # no yellow station in the west
        ("O1", NO_PARTNER_GRADE, None),  # no green station anywhere
    }
    # Without groups, R2 is Y2's partner.
    anywhere = propose_pairing(
        normalised, grades, pd.Series({"a": 1.0}), medians=pd.Series({"a": 60.0})
    )
    assert len(anywhere.pairs) == 2


def test_not_needed_within_groups():
    rows = {
        "Y1": ("yellow", "east", 20),
        "R1": ("red", "east", 90),
        "R2": ("red", "east", 80),
    }
    grades = pd.Series({station: row[0] for station, row in rows.items()})
    county = pd.Series({station: row[1] for station, row in rows.items()})
    normalised = pd.DataFrame({"a": {station: row[2] for station, row in rows.items()}})
    proposal = propose_pairing(
        normalised, grades, pd.Series({"a": 1.0}), medians=pd.Series({"a": 60.0}), groups=county
    )
    assert proposal.as_pairs() == [("Y1", "R1")]
    assert [(u.station, u.reason) for u in proposal.unpaired] == [("R2", NOT_NEEDED)]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("left", [0, 5])
def test_the_auction_for_large_graphs_gives_a_valid_full_pairing_within_its_bound(
    seed, left, monkeypatch
):
    """Above ``EXACT_UP_TO`` stations a side the sparse graph is matched by an auction:
    near-optimal, not exact. ``left``: the auction stops with this few free (they are
    paired among the stations left)."""
    from improvement.engine import sparse

    monkeypatch.setattr(sparse, "EXACT_UP_TO", 0)
    monkeypatch.setattr(sparse, "AUCTION_LEFT", left)
    normalised, grades, weights, where = random_month(seed, 60, 45)
    dense = propose_pairing(normalised, grades, weights, coordinates=where)
    found = propose_pairing(
        normalised, grades, weights, coordinates=where, dense_up_to=0, candidates=8
    )

    assert_valid(found, grades)
    assert found.sparse and not found.exact
    assert len(found.pairs) == len(dense.pairs)
    assert found.total_benefit <= dense.total_benefit <= found.optimum_bound
    assert found.total_benefit >= 0.97 * dense.total_benefit


def test_the_sparse_graph_s_matching_never_trades_benefit_for_leaving_a_station_alone():
    """W1 may take A (5) or X (4.95), W2 only A (0.1): A to W2 and X to W1 (5.05) beats
    A to W1 and W2 alone (5)."""
    from improvement.engine.sparse import _exact

    weak = np.array([0, 0, 1])
    strong = np.array([0, 1, 0])  # A = 0, X = 1
    cost = -np.array([5.0, 4.95, 0.1]) + 1e-9  # with a tiny distance part
    matched_weak, matched_strong = _exact(weak, strong, cost, 2, 2, 1e-9)
    assert sorted(zip(matched_weak.tolist(), matched_strong.tolist(), strict=True)) == [
        (0, 1),
        (1, 0),
    ]
