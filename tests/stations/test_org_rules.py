"""The tree's one rule about parents, as the import and the admin ask it."""

from __future__ import annotations

from django.utils import translation

from stations.orgrules import circle_text, cycle_from, find_cycles, unit_parent_error


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
