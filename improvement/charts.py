"""Chart builders of the improvement pages: DataFrame in, plotly figure out, no ORM."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from scoring.engine.grades import GRADE_COLOURS, UNGRADED


def project_progress_figure(
    months: pd.DataFrame, *, value_label: str, goal_label: str, title: str
) -> go.Figure:
    """A project's indicator by month against the value its goal grade started at.

    ``months`` columns: ``period`` (YYYY-MM, the baseline first), ``value`` (the
    normalised value 0–100, NaN without one), ``grade`` (code), ``grade_label`` (shown
    on hover) and ``goal`` (where the goal grade started that month, NaN unknown). The
    goal is drawn as steps: it holds for the whole month.
    """
    colours = [GRADE_COLOURS.get(grade, GRADE_COLOURS[UNGRADED])[0] for grade in months["grade"]]
    periods = months["period"].tolist()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=months["goal"].tolist(),
            mode="lines",
            name=goal_label,
            line={"color": "#7a7a7a", "width": 2, "dash": "dash", "shape": "hvh"},
            hovertemplate="%{x}<br>" + goal_label + ": %{y:.1f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=months["value"].tolist(),
            mode="lines+markers",
            name=value_label,
            line={"color": "#555555", "width": 1.5},
            marker={"size": 11, "color": colours, "line": {"color": "#222222", "width": 1}},
            customdata=months[["grade_label"]].to_numpy().tolist(),
            hovertemplate="%{x}<br>"
            + value_label
            + ": %{y:.1f}<br>%{customdata[0]}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title, "x": 0},
        margin={"l": 40, "r": 10, "t": 40, "b": 80},
        height=320,
        yaxis={"range": [0, 100]},
        xaxis={"type": "category"},
        plot_bgcolor="#ffffff",
        showlegend=True,
        # Below the plot: beside the title it overlaps on a narrow column.
        legend={"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"},
    )
    return figure
