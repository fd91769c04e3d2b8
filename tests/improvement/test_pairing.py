"""The branch-pairing proposal against hand-computed cases and brute force (no database)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from improvement.engine import (
    NO_PARTNER_GRADE,
    NOT_NEEDED,
    PARTNERS_FULL,
    BenefitRule,
    evaluate_pairing,
    pair_reasons,
    propose_pairing,
)
from improvement.engine.assignment import haversine_km, optimal_assignment
from improvement.engine.benefit import BENEFIT_STEP

NAN = np.nan
KM_PER_DEGREE = 6371.0 * math.pi / 180  # one degree of latitude: 111.19 km


def month(rows: dict[str, tuple], codes: tuple[str, ...] = ("a", "b")):
    """(normalised, grades) from {station: (grade, value per code)}."""
    grades = pd.Series({station: row[0] for station, row in rows.items()})
    normalised = pd.DataFrame(
        {station: row[1:] for station, row in rows.items()}, index=list(codes), dtype=float
    ).T
    return normalised, grades


def places(**stations: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(stations, orient="index", columns=["latitude", "longitude"])


EVEN = pd.Series({"a": 1.0, "b": 1.0})
MEDIANS_60 = pd.Series({"a": 60.0, "b": 60.0})


def pairs_of(proposal) -> set[tuple[str, str]]:
    return set(proposal.as_pairs())


# --- the benefit of one pair -------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "weak", "strong", "expected"),
    [
        # shares 0.5 / 0.5, gaps 40 / 40, leads 70 / 20: 0.5·40·70/100 + 0.5·40·20/100
        ({"a": 1, "b": 1}, (20, 20), (90, 40), 14 + 4),
        # shares 0.75 / 0.25
        ({"a": 3, "b": 1}, (20, 20), (90, 40), 21 + 2),
        # above the median on b: no gap there, however far ahead the partner is
        ({"a": 1, "b": 1}, (20, 70), (90, 100), 14),
        # the partner behind on a: no lead there
        ({"a": 1, "b": 1}, (20, 20), (10, 40), 4),
        # a weight of 0 does not count, and the others' shares are of the positive weights
        ({"a": 1, "b": 0}, (20, 20), (90, 40), 28),
        # the partner nowhere ahead: 0
        ({"a": 1, "b": 1}, (20, 20), (20, 10), 0),
    ],
)
def test_the_benefit_of_a_pair_by_hand(weights, weak, strong, expected):
    normalised, _ = month({"W": ("yellow", *weak), "S": ("red", *strong)})
    rule = BenefitRule.for_month(normalised, pd.Series(weights, dtype=float), MEDIANS_60)
    values = rule.values(normalised, ["W", "S"])
    assert rule.matrix(values[:1], values[1:])[0, 0] == pytest.approx(expected, abs=1e-12)
    assert (
        rule.pair_benefits(values[:1], values[1:])[0] == rule.matrix(values[:1], values[1:])[0, 0]
    )


def test_medians_are_the_company_medians_of_present_values():
    normalised, _ = month(
        {
            "A": ("yellow", 10, NAN),
            "B": ("blue", 30, 50),
            "C": ("blue", 60, NAN),
            "D": ("red", 100, 70),
            "E": ("ungraded", NAN, NAN),
        },
        codes=("a", "b"),
    )
    normalised["c"] = NAN  # nobody has c
    rule = BenefitRule.for_month(normalised, pd.Series({"a": 1.0, "b": 1.0, "c": 1.0}))
    assert rule.codes == ("a", "b", "c")
    assert rule.medians[:2] == (45.0, 60.0)  # a: (30 + 60) / 2; b: (50 + 70) / 2
    assert math.isnan(rule.medians[2])
    assert rule.shares == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_no_weighted_indicator_is_refused():
    normalised, _ = month({"W": ("yellow", 1, 2)})
    with pytest.raises(ValueError, match="positive weight"):
        BenefitRule.for_month(normalised, pd.Series({"a": 0.0, "zzz": 5.0}))


# --- optimal on hand-checked cases ---------------------------------------------------------


def test_two_by_two_where_greedy_fails():
    """W1 lags on a and b, W2 only on a. S1 is ahead on both, S2 only on b.
    Benefits (shares 0.5, medians 60): W1–S1 28, W1–S2 16, W2–S1 14, W2–S2 0.
    Greedy takes W1–S1 (28) and leaves W2 with S2 (0): 28. Optimal: W1–S2 + W2–S1 = 30."""
    normalised, grades = month(
        {
            "W1": ("yellow", 20, 20),
            "W2": ("yellow", 20, 80),
            "S1": ("red", 90, 90),
            "S2": ("red", 20, 100),
        }
    )
    rule = BenefitRule.for_month(normalised, EVEN, MEDIANS_60)
    benefit = rule.matrix(
        rule.values(normalised, ["W1", "W2"]), rule.values(normalised, ["S1", "S2"])
    )
    assert benefit.tolist() == [[28, 16], [14, 0]]

    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)

    assert pairs_of(proposal) == {("W1", "S2"), ("W2", "S1")}
    assert proposal.total_benefit == 30
    assert [pair.benefit for pair in proposal.pairs] == [16, 14]
    assert proposal.unpaired == ()
    greedy = evaluate_pairing([("W1", "S1"), ("W2", "S2")], normalised, proposal)
    assert greedy.total_benefit == 28
    assert greedy.share == pytest.approx(28 / 30)


def test_three_by_three_each_weak_station_gets_the_specialist():
    """Each weak station lags on one indicator (30, median 60); each strong station
    excels on one (95) and is 50 elsewhere, listed in another order than the weak ones.
    Specialist: (1/3)·30·65/100 = 6.5; any other: (1/3)·30·20/100 = 2."""
    codes = ("a", "b", "c")
    normalised, grades = month(
        {
            "Wa": ("yellow", 30, 70, 70),
            "Wb": ("yellow", 70, 30, 70),
            "Wc": ("yellow", 70, 70, 30),
            "Sc": ("red", 50, 50, 95),
            "Sa": ("red", 95, 50, 50),
            "Sb": ("red", 50, 95, 50),
        },
        codes=codes,
    )
    weights = pd.Series(1.0, index=list(codes))
    medians = pd.Series(60.0, index=list(codes))

    proposal = propose_pairing(normalised, grades, weights, medians=medians)

    assert pairs_of(proposal) == {("Wa", "Sa"), ("Wb", "Sb"), ("Wc", "Sc")}
    assert proposal.total_benefit == pytest.approx(19.5)
    first = proposal.pairs[0]
    assert (first.weak, first.strong, first.benefit) == ("Wa", "Sa", 6.5)


def test_yellow_pairs_with_red_and_green_with_orange_only():
    """The orange station would help the yellow one most, but the colour rule pairs yellow
    with red and green with orange; blue and ungraded stations take no part."""
    normalised, grades = month(
        {
            "Y": ("yellow", 10, 10),
            "G": ("green", 30, 30),
            "R": ("red", 40, 40),
            "O": ("orange", 100, 100),
            "B": ("blue", 100, 100),
            "U": ("ungraded", 100, 100),
        }
    )
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert [(p.weak, p.strong, p.weak_grade, p.strong_grade) for p in proposal.pairs] == [
        ("Y", "R", "yellow", "red"),
        ("G", "O", "green", "orange"),
    ]
    assert proposal.unpaired == ()
    # Y–R: 0.5·50·30/100 · 2 = 15; G–O: 0.5·30·70/100 · 2 = 21
    assert proposal.total_benefit == 36


# --- brute force -----------------------------------------------------------------------------


def hand_benefit(weak: np.ndarray, strong: np.ndarray, shares, medians) -> float:
    """The documented rule written out, indicator by indicator."""
    total = 0.0
    for w, s, share, median in zip(weak, strong, shares, medians, strict=True):
        if math.isnan(w) or math.isnan(s) or math.isnan(median):
            continue
        total += share * max(0.0, median - w) * max(0.0, s - w) / 100
    return round(total, 4)


def best_by_brute_force(benefit: np.ndarray, distance: np.ndarray, capacity: int):
    """(highest total benefit, shortest total distance among those) over every pairing."""
    rows, columns = benefit.shape
    slots = [column for column in range(columns) for _ in range(capacity)]
    candidates = []
    if rows <= len(slots):
        for chosen in itertools.permutations(range(len(slots)), rows):
            candidates.append([(row, slots[slot]) for row, slot in enumerate(chosen)])
    else:
        for chosen in itertools.permutations(range(rows), len(slots)):
            candidates.append([(row, slots[slot]) for slot, row in enumerate(chosen)])
    best = max(round(sum(benefit[r, c] for r, c in pairs), 4) for pairs in candidates)
    shortest = min(
        sum(distance[r, c] for r, c in pairs)
        for pairs in candidates
        if round(sum(benefit[r, c] for r, c in pairs), 4) == best
    )
    return best, shortest


CASES = [
    (seed, weak, strong, capacity, grid)
    for seed, (weak, strong, capacity, grid) in enumerate(
        itertools.islice(
            itertools.cycle(
                [
                    (6, 6, 1, True),
                    (6, 6, 1, False),
                    (4, 6, 1, True),
                    (6, 3, 1, False),
                    (5, 3, 2, True),
                    (6, 3, 2, False),
                    (2, 5, 1, True),
                    (5, 2, 2, True),
                    (3, 3, 1, True),
                    (1, 4, 1, False),
                ]
            ),
            60,
        )
    )
]


@pytest.mark.parametrize(("seed", "n_weak", "n_strong", "capacity", "grid"), CASES)
def test_the_proposal_is_optimal_against_every_pairing(seed, n_weak, n_strong, capacity, grid):
    """Highest total benefit over all pairings, then shortest distance among those.
    ``grid``: values in steps of 10 and weights 1, 1, 2, so many pairings tie on benefit
    and the distance decides; otherwise continuous values."""
    rng = np.random.default_rng(seed)
    codes = ("a", "b", "c")
    size = n_weak + n_strong + 4
    values = rng.integers(0, 11, (size, 3)) * 10.0 if grid else rng.uniform(0, 100, (size, 3))
    values[rng.random(values.shape) < 0.15] = NAN
    stations = [f"S{n}" for n in range(size)]
    grade_list = ["yellow"] * n_weak + ["red"] * n_strong + ["blue"] * 4
    normalised = pd.DataFrame(values, index=stations, columns=list(codes))
    grades = pd.Series(grade_list, index=stations)
    where = pd.DataFrame(
        {"latitude": rng.uniform(29, 30.5, size), "longitude": rng.uniform(121, 122, size)},
        index=stations,
    )
    weights = pd.Series([1.0, 1.0, 2.0] if grid else rng.uniform(0.5, 2, 3), index=list(codes))

    proposal = propose_pairing(normalised, grades, weights, coordinates=where, capacity=capacity)

    shares = weights / weights.sum()
    medians = normalised.median()
    weak, strong = stations[:n_weak], stations[n_weak : n_weak + n_strong]
    benefit = np.array(
        [
            [hand_benefit(values[w], values[n_weak + s], shares, medians) for s in range(n_strong)]
            for w in range(n_weak)
        ]
    )
    lat, lon = where["latitude"].to_numpy(), where["longitude"].to_numpy()
    distance = np.array(
        [
            [
                haversine_km(lat[w], lon[w], lat[n_weak + s], lon[n_weak + s])
                for s in range(n_strong)
            ]
            for w in range(n_weak)
        ]
    )
    best, shortest = best_by_brute_force(benefit, distance, capacity)

    assert proposal.total_benefit == pytest.approx(best, abs=1e-9)
    index = {station: n for n, station in enumerate(weak + strong)}
    assert sum(pair.distance_km for pair in proposal.pairs) == pytest.approx(shortest, abs=1e-6)
    assert len(proposal.pairs) == min(n_weak, n_strong * capacity)
    for pair in proposal.pairs:
        row, column = index[pair.weak], index[pair.strong] - n_weak
        assert pair.benefit == pytest.approx(benefit[row, column], abs=1e-12)
        assert pair.distance_km == pytest.approx(distance[row, column])
    partners = pd.Series([pair.strong for pair in proposal.pairs]).value_counts()
    assert partners.max() <= capacity
    assert len({pair.weak for pair in proposal.pairs}) == len(proposal.pairs)
    assert evaluate_pairing(proposal.as_pairs(), normalised, proposal).share in (None, 1.0)


# --- unequal sides and capacity ---------------------------------------------------------


def test_more_weak_than_strong_leaves_the_least_helped_unpaired_with_their_best_partner():
    """One red for three yellows (medians 60, shares 0.5): the red goes to the one it
    helps most; the other two are listed with it as their best partner."""
    normalised, grades = month(
        {
            "W1": ("yellow", 20, 60),  # gap 40 on a: 0.5·40·60/100 = 12
            "W2": ("yellow", 50, 60),  # gap 10 on a: 0.5·10·30/100 = 1.5
            "W3": ("yellow", 60, 40),  # gap 20 on b: 0.5·20·10/100 = 1
            "R": ("red", 80, 50),
        }
    )
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)

    assert proposal.as_pairs() == [("W1", "R")]
    assert proposal.total_benefit == 12
    assert [
        (u.station, u.grade, u.partner_grade, u.reason, u.best_partner, u.best_benefit)
        for u in proposal.unpaired
    ] == [
        ("W2", "yellow", "red", PARTNERS_FULL, "R", 1.5),
        ("W3", "yellow", "red", PARTNERS_FULL, "R", 1.0),
    ]


def test_more_strong_than_weak_leaves_strong_stations_not_needed():
    normalised, grades = month(
        {
            "G": ("green", 20, 20),
            "O1": ("orange", 30, 30),
            "O2": ("orange", 90, 90),
            "O3": ("orange", 50, 50),
        }
    )
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert proposal.as_pairs() == [("G", "O2")]
    assert [(u.station, u.grade, u.partner_grade, u.reason) for u in proposal.unpaired] == [
        ("O1", "orange", "green", NOT_NEEDED),
        ("O3", "orange", "green", NOT_NEEDED),
    ]
    assert all(u.best_partner is None for u in proposal.unpaired)


def test_a_colour_without_partners_is_unpaired_as_such():
    normalised, grades = month(
        {"Y": ("yellow", 20, 20), "Y2": ("yellow", 30, 30), "O": ("orange", 90, 90)}
    )
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert proposal.pairs == ()
    assert proposal.total_benefit == 0
    assert [(u.station, u.partner_grade, u.reason, u.best_partner) for u in proposal.unpaired] == [
        ("Y", "red", NO_PARTNER_GRADE, None),
        ("Y2", "red", NO_PARTNER_GRADE, None),
        ("O", "green", NO_PARTNER_GRADE, None),
    ]


def test_capacity_lets_one_strong_station_take_two():
    """R1 (100 on a) is the better partner for all three, R2 (60) the other; benefits
    W1 16 / 8, W2 10.5 / 4.5, W3 2.5 / 0.5. With capacity 1 the two largest gaps get a
    partner each and W3 waits; with capacity 2, R1 takes the two largest gaps."""
    normalised, grades = month(
        {
            "W1": ("yellow", 20, 60),  # gap 40
            "W2": ("yellow", 30, 60),  # gap 30
            "W3": ("yellow", 50, 60),  # gap 10
            "R1": ("red", 100, 60),
            "R2": ("red", 60, 60),
        }
    )
    one = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    two = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60, capacity=2)

    # capacity 1: W1–R1 16 + W2–R2 4.5 = 20.5 beats W1–R2 8 + W2–R1 10.5 = 18.5
    assert pairs_of(one) == {("W1", "R1"), ("W2", "R2")}
    assert one.total_benefit == 20.5
    assert [(u.station, u.reason, u.best_partner, u.best_benefit) for u in one.unpaired] == [
        ("W3", PARTNERS_FULL, "R1", 2.5)
    ]
    # capacity 2: W1–R1 16 + W2–R1 10.5 + W3–R2 0.5
    assert pairs_of(two) == {("W1", "R1"), ("W2", "R1"), ("W3", "R2")}
    assert two.total_benefit == 27
    assert two.unpaired == ()
    with pytest.raises(ValueError, match="capacity"):
        propose_pairing(normalised, grades, EVEN, capacity=0)


# --- missing values ---------------------------------------------------------------------------


def test_a_missing_value_is_neither_a_weakness_nor_a_strength():
    """W's a is missing: without that rule S1 (far ahead on a) would win; S2's b is
    missing, so S2 cannot help on b although the others are behind it there."""
    normalised, grades = month(
        {
            "W": ("yellow", NAN, 30),  # gap only on b (30)
            "S1": ("red", 100, 40),  # lead 10 on b: 0.5·30·10/100 = 1.5
            "S2": ("red", 100, NAN),  # nothing
            "S3": ("red", NAN, 50),  # lead 20 on b: 3
        }
    )
    rule = BenefitRule.for_month(normalised, EVEN, MEDIANS_60)
    benefit = rule.matrix(
        rule.values(normalised, ["W"]), rule.values(normalised, ["S1", "S2", "S3"])
    )
    assert benefit.tolist() == [[1.5, 0.0, 3.0]]
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert proposal.as_pairs() == [("W", "S3")]
    assert [r.indicator for r in proposal.pairs[0].reasons] == ["b"]


def test_an_indicator_nobody_has_and_a_station_with_no_values_add_nothing():
    normalised, grades = month(
        {
            "W": ("yellow", 20, NAN),
            "E": ("yellow", NAN, NAN),  # no value at all: benefit 0 with anyone
            "S1": ("red", 80, NAN),
            "S2": ("red", 40, NAN),
        }
    )
    proposal = propose_pairing(normalised, grades, EVEN)  # the medians of the month
    # a: the median of 20, 80, 40 is 40; nobody has b
    assert proposal.rule.medians[0] == 40
    assert math.isnan(proposal.rule.medians[1])
    # W–S1: 0.5·20·60/100 = 6 (b adds nothing); W–S2: 0.5·20·20/100 = 2; E: 0 with either
    assert pairs_of(proposal) == {("W", "S1"), ("E", "S2")}
    by_weak = {pair.weak: pair for pair in proposal.pairs}
    assert by_weak["W"].benefit == 6
    assert by_weak["E"].benefit == 0
    assert by_weak["E"].reasons == ()
    assert by_weak["E"].distance_km is None


# --- the distance tie-break ------------------------------------------------------------------


@pytest.mark.parametrize("listed", [("FAR", "NEAR"), ("NEAR", "FAR")])
def test_between_equal_partners_the_nearer_one_is_proposed(listed):
    rows = {"W": ("yellow", 20, 20)} | {name: ("red", 90, 90) for name in listed}
    normalised, grades = month(rows)
    where = places(W=(29.0, 121.0), NEAR=(29.1, 121.0), FAR=(29.5, 121.0))
    proposal = propose_pairing(normalised, grades, EVEN, coordinates=where, medians=MEDIANS_60)
    assert proposal.as_pairs() == [("W", "NEAR")]
    assert proposal.pairs[0].distance_km == pytest.approx(0.1 * KM_PER_DEGREE)


def test_the_smallest_benefit_difference_beats_any_distance():
    """FAR is half the world away and better by one step (0.0001); NEAR is next door."""
    normalised, grades = month(
        {
            "W": ("yellow", 20, 60),  # gap 40 on a; share 1 (b has no weight)
            "NEAR": ("red", 55, 60),  # 40·35/100 = 14
            "FAR": ("red", 55.00025, 60),  # 40·35.00025/100 = 14.0001
        }
    )
    weights = pd.Series({"a": 1.0, "b": 0.0})
    where = places(W=(29.0, 121.0), NEAR=(29.0, 121.0), FAR=(-29.0, -59.0))
    proposal = propose_pairing(normalised, grades, weights, coordinates=where, medians=MEDIANS_60)
    assert proposal.as_pairs() == [("W", "FAR")]
    assert proposal.pairs[0].benefit == pytest.approx(14.0001)
    assert proposal.pairs[0].distance_km > 19_000
    assert proposal.unpaired[0].station == "NEAR"


def test_the_tie_break_takes_the_shortest_total_distance_over_the_whole_pairing():
    """All four pairs are worth the same; W1 is next to S2 and W2 to S1."""
    normalised, grades = month(
        {
            "W1": ("yellow", 20, 20),
            "W2": ("yellow", 20, 20),
            "S1": ("red", 90, 90),
            "S2": ("red", 90, 90),
        }
    )
    where = places(W1=(29.0, 121.0), W2=(30.0, 121.0), S1=(30.1, 121.0), S2=(29.1, 121.0))
    proposal = propose_pairing(normalised, grades, EVEN, coordinates=where, medians=MEDIANS_60)
    assert pairs_of(proposal) == {("W1", "S2"), ("W2", "S1")}
    assert sum(p.distance_km for p in proposal.pairs) == pytest.approx(0.2 * KM_PER_DEGREE)


def test_the_tie_break_never_outweighs_a_benefit_step_even_with_many_pairs():
    """40 × 40: the diagonal pairing is worth 40 · 0.5 = 20, 5,000 km each; the shifted one
    (row n with column n + 1) is worth one step less, 0 km each. The distances saved add up
    to 200,000 km, and still the step decides."""
    size = 40
    rows = np.arange(size)
    benefit = np.zeros((size, size))
    distance = np.full((size, size), 2_000.0)
    benefit[rows, rows], distance[rows, rows] = 0.5, 5_000.0
    benefit[rows, (rows + 1) % size], distance[rows, (rows + 1) % size] = 0.5, 0.0
    benefit[0, 1] = np.round(0.5 - BENEFIT_STEP, 4)
    assert optimal_assignment(benefit, distance) == [(n, n) for n in range(size)]
    benefit[0, 0] = benefit[0, 1]  # now equal: the distance decides
    assert optimal_assignment(benefit, distance) == [(n, (n + 1) % size) for n in range(size)]


def test_a_station_without_coordinates_counts_as_the_farthest():
    normalised, grades = month(
        {"W": ("yellow", 20, 20), "LOST": ("red", 90, 90), "FAR": ("red", 90, 90)}
    )
    where = places(W=(29.0, 121.0), FAR=(31.0, 121.0), LOST=(NAN, NAN))
    proposal = propose_pairing(normalised, grades, EVEN, coordinates=where, medians=MEDIANS_60)
    assert proposal.as_pairs() == [("W", "FAR")]


def test_haversine_by_hand():
    assert haversine_km(29.0, 121.0, 30.0, 121.0) == pytest.approx(KM_PER_DEGREE)
    # along the equator, a quarter of the way round
    assert haversine_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(6371.0 * math.pi / 2)
    assert math.isnan(haversine_km(NAN, 121.0, 30.0, 121.0))


# --- the reasons -----------------------------------------------------------------------------


def test_the_reasons_list_where_the_weak_station_lags_and_the_partner_is_ahead():
    """Five indicators, even shares (0.2), medians 60. W lags on a (gap 20), b (50), c (30)
    and d (10); it is above the median on e. S is ahead on a by 10, b by 40, c by 50, d by
    5, e by 30. Parts: a 0.2·20·10/100 = 0.4, b 0.2·50·40/100 = 4, c 0.2·30·50/100 = 3,
    d 0.2·10·5/100 = 0.1, e 0 (no gap): the reasons are b, c, a (three at most)."""
    codes = ("a", "b", "c", "d", "e")
    normalised, grades = month(
        {"W": ("yellow", 40, 10, 30, 50, 70), "S": ("red", 50, 50, 80, 55, 100)}, codes=codes
    )
    weights = pd.Series(1.0, index=list(codes))
    where = places(W=(29.0, 121.0), S=(29.0 + 12 / KM_PER_DEGREE, 121.0))
    medians = pd.Series(60.0, index=list(codes))

    pair = propose_pairing(normalised, grades, weights, coordinates=where, medians=medians).pairs[0]

    assert pair.benefit == pytest.approx(7.5)
    assert pair.distance_km == pytest.approx(12.0)
    assert [(r.indicator, r.weak_value, r.strong_value, r.median) for r in pair.reasons] == [
        ("b", 10, 50, 60),
        ("c", 30, 80, 60),
        ("a", 40, 50, 60),
    ]
    assert [r.benefit for r in pair.reasons] == pytest.approx([4, 3, 0.4])
    two = propose_pairing(normalised, grades, weights, medians=medians, reasons=2)
    assert [r.indicator for r in two.pairs[0].reasons] == ["b", "c"]
    five = propose_pairing(normalised, grades, weights, medians=medians, reasons=5)
    assert [r.indicator for r in five.pairs[0].reasons] == ["b", "c", "a", "d"]


def test_the_reasons_of_any_pair_are_those_a_proposal_gives():
    """W2 lags on a (gap 40, S1 ahead by 70: part 14) and not on b (80 > median 60): its
    pair with S1 has the one reason a; W1 with S1 has a (14) then b (14: ties in
    indicator order). S2 is behind W1 on a and ahead on b by 0: no reason."""
    normalised, grades = month(
        {"W1": ("yellow", 20, 20), "W2": ("yellow", 20, 80), "S1": ("red", 90, 90),
         "S2": ("red", 10, 20)}
    )  # fmt: skip
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    by_pair = {(pair.weak, pair.strong): pair.reasons for pair in proposal.pairs}

    reasons = {
        (w, s): pair_reasons(proposal.rule, normalised, w, s)
        for w, s in [("W1", "S1"), ("W2", "S1"), ("W1", "S2")]
    }

    assert [(r.indicator, r.weak_value, r.strong_value, r.median) for r in reasons["W2", "S1"]] == [
        ("a", 20, 90, 60)
    ]
    assert [r.indicator for r in reasons["W1", "S1"]] == ["a", "b"]
    assert reasons["W1", "S2"] == ()
    for pair, given in by_pair.items():  # the proposal's own pairs: the same reasons
        assert pair_reasons(proposal.rule, normalised, *pair) == given


# --- a committee's pairing -------------------------------------------------------------------


def test_an_edited_pairing_is_scored_by_the_proposal_rule_and_its_breaches_listed():
    normalised, grades = month(
        {
            "W1": ("yellow", 20, 20),
            "W2": ("yellow", 20, 80),
            "S1": ("red", 90, 90),
            "S2": ("red", 20, 100),
            "O": ("orange", 100, 100),
            "B": ("blue", 100, 100),
        }
    )
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert proposal.total_benefit == 30

    same = evaluate_pairing(proposal.as_pairs(), normalised, proposal)
    assert (same.total_benefit, same.share, same.off_rule) == (30, 1.0, ())

    # S1 twice (above capacity 1), W1 twice, and a yellow with an orange.
    edited = evaluate_pairing([("W1", "S1"), ("W2", "S1"), ("W1", "O")], normalised, proposal)
    # W1–S1 28, W2–S1 14, W1–O 0.5·40·80/100 · 2 = 32
    assert [b for _w, _s, b in edited.benefits] == [28, 14, 32]
    assert edited.total_benefit == 74
    assert edited.optimal_benefit == 30
    assert edited.share == pytest.approx(74 / 30)
    assert edited.off_rule == (("W1", "O"),)
    assert edited.weak_repeated == ("W1",)
    assert edited.over_capacity == ("S1",)

    # B is blue: not in the proposal, so off the rule; an unknown station adds nothing
    odd = evaluate_pairing([("W2", "B"), ("W1", "GONE")], normalised, proposal)
    assert odd.off_rule == (("W2", "B"), ("W1", "GONE"))
    assert [b for _w, _s, b in odd.benefits] == [16, 0]

    empty = evaluate_pairing([], normalised, proposal)
    assert (empty.total_benefit, empty.share) == (0, 0)


def test_the_share_is_none_when_no_pairing_helps():
    normalised, grades = month({"W": ("yellow", 90, 90), "S": ("red", 95, 95)})
    proposal = propose_pairing(normalised, grades, EVEN, medians=MEDIANS_60)
    assert proposal.total_benefit == 0
    assert evaluate_pairing(proposal.as_pairs(), normalised, proposal).share is None
