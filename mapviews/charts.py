"""Chart builders: DataFrame in, plotly figure out. No ORM here, so they test without a database."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS, UNGRADED


def score_history_figure(
    history: pd.DataFrame, *, score_label: str, title: str, median_label: str = ""
) -> go.Figure:
    """Line of a station's score by month, each point coloured by its grade, and
    the company median as a dashed line when ``history`` has a ``median`` column.

    ``history`` columns: ``period`` (YYYY-MM), ``score`` (NaN when ungraded),
    ``grade`` (code), ``grade_label`` (text shown on hover), optional ``median``.
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
    figure.data[0].name = score_label
    if "median" in history and history["median"].notna().any():
        figure.add_trace(
            go.Scatter(
                x=history["period"].tolist(),
                y=history["median"].tolist(),
                mode="lines",
                name=median_label,
                line={"color": "#7a7a7a", "width": 1.5, "dash": "dash"},
                hovertemplate="%{x}<br>" + median_label + ": %{y:.2f}<extra></extra>",
            )
        )
    figure.update_layout(
        title={"text": title, "x": 0},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        height=300,
        yaxis={"range": [0, 100], "title": score_label},
        xaxis={"type": "category"},
        plot_bgcolor="#ffffff",
        showlegend=len(figure.data) > 1,
        legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"},
    )
    return figure


def figure_payload(figure: go.Figure) -> dict:
    """The figure as plain JSON data for ``json_script``."""
    return json.loads(figure.to_json())


#: Room right of a sparkline for the last month's grade label (one CJK character or two
#: Latin letters at 10 px).
SPARK_LABEL_WIDTH = 18


def sparkline(
    scores: list[float | None], grades: list[str], width: int = 96, height: int = 24
) -> dict:
    """An inline-SVG sparkline of scores 0–100: a polyline, one dot per month and, right
    of the line, a badge for the last scored month's grade (filled with its colour, its
    short label written in its text colour), so the grade is not told by colour alone.

    Months without a score break the line. Returns ``width`` (the line's and the
    badge's), ``height``, ``segments`` (point strings for ``<polyline>``), ``dots``
    (x, y, fill) and ``last``: the badge's ``grade``, ``x``, ``y`` (its top left),
    ``fill`` and ``ink``, or None when no month has a score. The caller adds the
    badge's text (``scoring.grades`` has the translated short labels).
    """
    count = len(scores)
    step = width / max(count - 1, 1)
    pad = 2.5

    def y_of(score: float) -> float:
        return round(pad + (100 - score) / 100 * (height - 2 * pad), 1)

    segments: list[str] = []
    current: list[str] = []
    dots = []
    last: dict[str, str | float] | None = None
    for index, (score, grade) in enumerate(zip(scores, grades, strict=True)):
        x = round(index * step, 1) if count > 1 else width / 2
        if score is None:
            if len(current) > 1:
                segments.append(" ".join(current))
            current = []
            continue
        y = y_of(score)
        current.append(f"{x},{y}")
        fill, ink = GRADE_COLOURS.get(grade, GRADE_COLOURS[UNGRADED])
        dots.append((x, y, fill))
        last = {"grade": grade if grade in GRADE_COLOURS else UNGRADED, "fill": fill, "ink": ink}
    if len(current) > 1:
        segments.append(" ".join(current))
    if last is not None:
        side, top = SPARK_LABEL_WIDTH - 4, (height - 14) / 2
        left = width + 3
        # The label's middle and baseline (10 px text in a 14 px badge).
        last.update(x=left, y=top, width=side, height=14, text_x=left + side / 2, text_y=top + 10.5)
    return {
        "width": width + SPARK_LABEL_WIDTH,
        "height": height,
        "segments": segments,
        "dots": dots,
        "last": last,
    }


def grade_distribution_figure(
    counts: pd.DataFrame, grade_labels: dict[str, str], *, count_label: str
) -> go.Figure:
    """Stacked bars: how many stations had each grade, month by month.

    ``counts`` columns: ``period`` (YYYY-MM), ``grade`` (code), ``count``.
    Bars stack best grade at the bottom; each segment carries its count as text.
    """
    figure = go.Figure()
    periods = sorted(counts["period"].unique().tolist())
    for grade in ALL_GRADES:
        rows = counts[counts["grade"] == grade].set_index("period").reindex(periods)
        values = rows["count"].fillna(0).astype(int).tolist()
        if not any(values):
            continue
        fill, ink = GRADE_COLOURS[grade]
        figure.add_trace(
            go.Bar(
                x=periods,
                y=values,
                name=grade_labels[grade],
                marker={"color": fill, "line": {"color": "#ffffff", "width": 1}},
                text=[str(v) if v else "" for v in values],
                textposition="inside",
                insidetextfont={"color": ink},
                hovertemplate="%{x}<br>" + grade_labels[grade] + ": %{y}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        uniformtext={"mode": "hide", "minsize": 9},
        height=360,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        yaxis={"title": count_label},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
        plot_bgcolor="#ffffff",
    )
    return figure


def contribution_figure(points: pd.DataFrame, *, title: str, points_label: str) -> go.Figure:
    """Horizontal bars: what each indicator adds to the score; the bars sum to it.

    ``points`` columns: ``name`` (indicator), ``points`` (score points), largest first.
    """
    figure = go.Figure(
        go.Bar(
            x=points["points"].tolist(),
            y=points["name"].tolist(),
            orientation="h",
            marker={"color": "#5b7083", "line": {"color": "#1f2328", "width": 0.5}},
            text=[f"{value:.2f}" for value in points["points"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title, "x": 0},
        height=60 + 28 * len(points),
        margin={"l": 10, "r": 40, "t": 40, "b": 30},
        xaxis={"title": points_label, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
        plot_bgcolor="#ffffff",
        showlegend=False,
    )
    return figure


def red_over_time_figure(
    counts: pd.DataFrame, *, red_label: str, total_label: str, count_label: str
) -> go.Figure:
    """The "all red" aim: red stations month by month (bars, with their count) against
    the stations graded that month (a line: the aim is to reach it).

    ``counts`` columns: ``period`` (YYYY-MM), ``red``, ``graded``."""
    fill, ink = GRADE_COLOURS["red"]
    figure = go.Figure(
        go.Bar(
            x=counts["period"].tolist(),
            y=counts["red"].tolist(),
            name=red_label,
            marker={"color": fill, "line": {"color": "#1f2328", "width": 0.5}},
            text=[str(value) for value in counts["red"]],
            textposition="inside",
            insidetextfont={"color": ink},
            hovertemplate="%{x}<br>" + red_label + ": %{y}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=counts["period"].tolist(),
            y=counts["graded"].tolist(),
            mode="lines",
            name=total_label,
            line={"color": "#1f2328", "width": 1.5, "dash": "dash"},
            hovertemplate="%{x}<br>" + total_label + ": %{y}<extra></extra>",
        )
    )
    figure.update_layout(
        height=320,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        yaxis={"title": count_label, "rangemode": "tozero"},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#ffffff",
    )
    return figure


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
