"""Chart builders: DataFrame in, plotly figure out. No ORM here, so they test without a database."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from scoring.engine.grades import GRADE_COLOURS, UNGRADED


def score_history_figure(history: pd.DataFrame, *, score_label: str, title: str) -> go.Figure:
    """Line of a station's score by month, each point coloured by its grade.

    ``history`` columns: ``period`` (YYYY-MM), ``score`` (NaN when ungraded),
    ``grade`` (code) and ``grade_label`` (text shown on hover).
    """
    colours = [GRADE_COLOURS.get(grade, GRADE_COLOURS[UNGRADED])[0] for grade in history["grade"]]
    figure = go.Figure(
        go.Scatter(
            x=history["period"].tolist(),
            y=history["score"].tolist(),
            mode="lines+markers",
            line={"color": "#555555", "width": 1.5},
            marker={"size": 11, "color": colours, "line": {"color": "#222222", "width": 1}},
            customdata=history[["grade_label"]].to_numpy().tolist(),
            hovertemplate="%{x}<br>"
            + score_label
            + ": %{y:.2f}<br>%{customdata[0]}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title, "x": 0},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        height=300,
        yaxis={"range": [0, 100], "title": score_label},
        xaxis={"type": "category"},
        plot_bgcolor="#ffffff",
        showlegend=False,
    )
    return figure


def figure_payload(figure: go.Figure) -> dict:
    """The figure as plain JSON data for ``json_script``."""
    return json.loads(figure.to_json())
