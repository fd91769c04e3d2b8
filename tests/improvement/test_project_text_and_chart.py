"""The progress sentence (in English) and the progress chart, without a database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from django.utils import translation

from improvement.engine.progress import ProgressMonth, judge_progress
from improvement.text.progress import describe_progress
from mapviews.charts import project_progress_figure
from scoring.engine.grades import GRADE_COLOURS


def month(text: str, value: float | None, grade: str = "green", goal: float | None = 40.0):
    year, number = map(int, text.split("-"))
    return ProgressMonth(date(year, number, 1), value, grade, goal)


def sentence(baseline, months, goal_month="2026-12"):
    year, number = map(int, goal_month.split("-"))
    progress = judge_progress(baseline, months, goal_grade="blue", goal_month=date(year, number, 1))
    with translation.override("en"):
        return describe_progress(
            progress,
            indicator="Line loss index",
            goal_grade="blue",
            goal_month=date(year, number, 1),
            start_month=date(2026, 7, 1),
        )


BASE = month("2026-06", 30.0, "yellow")


@pytest.mark.parametrize(
    ("baseline", "months", "label", "text"),
    [
        (
            BASE,
            [],
            "waiting for data",
            "Waiting for data: no month from 2026-07 on has been published with a value "
            "for Line loss index yet.",
        ),
        (
            # +6 of the way 30 → 40 is 60 %; 3 of 6 months is 50 %.
            BASE,
            [month("2026-09", 36.0)],
            "on track",
            "On track: +6.0 on its 0–100 scale since 2026-06, 60 % of the way to "
            "Blue · Average with 50 % of the time to 2026-12 gone.",
        ),
        (
            BASE,
            [month("2026-09", 34.0)],
            "off track",
            "Off track: +4.0 on its 0–100 scale since 2026-06, 40 % of the way to "
            "Blue · Average with 50 % of the time to 2026-12 gone.",
        ),
        (
            BASE,
            [month("2026-09", 27.5, "yellow")],
            "off track",
            "Off track: −2.5 on its 0–100 scale since 2026-06: further from Blue · Average "
            "than at the start, with 50 % of the time to 2026-12 gone.",
        ),
        (
            BASE,
            [month("2026-08", 44.2, "blue")],
            "goal reached",
            "Goal reached: Line loss index is Blue · Average in 2026-08, at least "
            "Blue · Average (+14.2 on its 0–100 scale since 2026-06).",
        ),
        (
            BASE,
            [month("2026-12", 37.0)],
            "goal missed",
            "Goal missed: 2026-12 has come and Line loss index is Green · Weak in 2026-12, "
            "3.0 below where Blue · Average starts.",
        ),
    ],
)
def test_the_progress_sentence(baseline, months, label, text):
    described = sentence(baseline, months)
    assert (described.label, described.sentence) == (label, text)


def test_the_chart_draws_the_value_against_the_goal_bar():
    frame = pd.DataFrame(
        {
            "period": ["2026-06", "2026-07", "2026-08"],
            "value": [30.0, float("nan"), 36.0],
            "grade": ["yellow", "ungraded", "green"],
            "grade_label": ["Yellow · Lagging", "Grey · Ungraded", "Green · Weak"],
            "goal": [40.0, 41.0, 42.5],
        }
    )
    figure = project_progress_figure(
        frame, value_label="Line loss (0–100)", goal_label="where blue starts", title="t"
    )
    goal, value = figure.data
    assert list(goal.x) == ["2026-06", "2026-07", "2026-08"]
    assert list(goal.y) == [40.0, 41.0, 42.5]
    assert goal.line.dash == "dash" and goal.name == "where blue starts"
    values = list(value.y)
    assert (values[0], values[2]) == (30.0, 36.0)
    fills = [GRADE_COLOURS[grade][0] for grade in ("yellow", "ungraded", "green")]
    assert list(value.marker.color) == fills
    assert [row[0] for row in value.customdata] == list(frame["grade_label"])
    assert figure.layout.yaxis.range == (0, 100)
