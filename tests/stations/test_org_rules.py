"""The tree's one rule about parents, as the import and the admin ask it."""

from __future__ import annotations

import pytest
from django.utils import translation

from stations.orgrules import (
    circle_text,
    cycle_from,
    find_cycles,
    parent_outside_place,
    place_outside,
    unit_parent_error,
)


def test_each_circle_is_found_once_from_its_first_member():
    parents = {
        "T": "A",  # a tail leading into the first circle is not part of it
        "A": "B",
        "B": "A",
        "R": None,
        "X": "Y",
        "Y": "Z",
        "Z": "X",
        "S": "S",
    }
    assert find_cycles(parents) == [["A", "B"], ["X", "Y", "Z"], ["S"]]
    assert cycle_from("T", parents) == ["A", "B"]
    assert cycle_from("R", parents) is None
    assert circle_text(["X", "Y", "Z"]) == "X → Y → Z → X"


def test_a_tree_has_no_circles():
    assert find_cycles({"ZJ": "EAST", "EAST": None, "JS": "EAST", "HZ": "ZJ"}) == []


@translation.override("en")
def test_the_admins_question_names_codes():
    stored = {1: None, 2: 1, 3: 2}
    codes = {1: "ZJ", 2: "HZ", 3: "YH"}
    assert unit_parent_error(1, 3, stored, codes) == (
        "YH is below ZJ, so ZJ cannot go under it (ZJ → YH → HZ → ZJ)"
    )
    assert unit_parent_error(1, 1, stored, codes) == "a unit cannot be its own parent"
    assert unit_parent_error(3, 1, stored, codes) is None
    assert unit_parent_error(3, None, stored, codes) is None


@pytest.mark.parametrize(
    ("parent", "stored", "is_new", "allowed", "refused"),
    [
        (2, 1, False, frozenset({2, 3}), False),  # a unit of their own part
        (1, 1, False, frozenset(), False),  # the stored parent kept: no move
        (1, None, True, frozenset({2}), True),  # a new row under a unit elsewhere
        (None, 1, False, frozenset({2}), True),  # to the top of the tree
        (9, 1, False, None, False),  # a superuser: anywhere
    ],
)
def test_a_parent_lies_within_the_administrators_part(parent, stored, is_new, allowed, refused):
    error = parent_outside_place(
        parent, stored_parent_id=stored, is_new=is_new, allowed=allowed, place="浙江 (ZJ)"
    )
    assert (error is not None) == refused


def test_a_user_is_placed_within_the_administrators_part():
    mine = {"companies": frozenset({10}), "units": frozenset({1, 2}), "place": "浙江 (ZJ)"}
    assert place_outside(10, None, **mine) is None
    assert place_outside(None, 2, **mine) is None
    assert "浙江 (ZJ)" in (place_outside(11, None, **mine) or "")
    assert place_outside(None, 3, **mine) is not None
    assert place_outside(11, None, companies=None, units=None, place="") is None
