"""Department help: who helps which station on which indicator (no database)."""

from __future__ import annotations

import pandas as pd

from improvement.engine import department_help

DEPARTMENTS = {
    "safety": "安全监察部",
    "line_loss": "发展策划部",
    "customer_satisfaction": "营销部",
    "getting_electricity": "营销部",
}


def grades() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "safety": ["yellow", "red", "yellow", "green"],
            "getting_electricity": ["orange", "yellow", "red", "blue"],
            "line_loss": ["blue", "yellow", "ungraded", "yellow"],
            "customer_satisfaction": ["green", "green", "green", "yellow"],
            "financial": ["yellow", "blue", "blue", "blue"],  # no department given
        },
        index=["梅林", "鄞江", "横溪", "古林"],
    )


def test_each_station_yellow_on_an_indicator_gets_that_indicators_department():
    """Departments in the order of their first indicator; 营销部's two indicators together."""
    table = department_help(grades(), DEPARTMENTS)
    assert list(table.columns) == ["department", "indicator", "station", "grade"]
    assert list(table.itertuples(index=False, name=None)) == [
        ("安全监察部", "safety", "梅林", "yellow"),
        ("安全监察部", "safety", "横溪", "yellow"),
        ("营销部", "getting_electricity", "鄞江", "yellow"),
        ("营销部", "customer_satisfaction", "古林", "yellow"),
        ("发展策划部", "line_loss", "鄞江", "yellow"),
        ("发展策划部", "line_loss", "古林", "yellow"),
        (None, "financial", "梅林", "yellow"),
    ]


def test_green_can_be_included_and_a_blank_department_counts_as_none():
    table = department_help(
        grades()[["safety", "customer_satisfaction"]],
        {"safety": "安全监察部", "customer_satisfaction": ""},
        lagging=("yellow", "green"),
    )
    assert list(table.itertuples(index=False, name=None)) == [
        ("安全监察部", "safety", "梅林", "yellow"),
        ("安全监察部", "safety", "横溪", "yellow"),
        ("安全监察部", "safety", "古林", "green"),
        (None, "customer_satisfaction", "梅林", "green"),
        (None, "customer_satisfaction", "鄞江", "green"),
        (None, "customer_satisfaction", "横溪", "green"),
        (None, "customer_satisfaction", "古林", "yellow"),
    ]


def test_nobody_lagging_gives_an_empty_table():
    table = department_help(grades().replace("yellow", "blue"), DEPARTMENTS)
    assert table.empty
    assert list(table.columns) == ["department", "indicator", "station", "grade"]
