"""The five grades, best first, and their colours. The single source of that order.

Pure Python: the engine and the chart builders import it without Django. The
translated labels (红 优秀 …) live in ``scoring.grades`` next to Django's i18n.
"""

from __future__ import annotations

RED = "red"
ORANGE = "orange"
BLUE = "blue"
GREEN = "green"
YELLOW = "yellow"
UNGRADED = "ungraded"

#: Best first: red 优秀, orange 较好, blue 中等, green 稍差, yellow 落后.
GRADE_ORDER: tuple[str, ...] = (RED, ORANGE, BLUE, GREEN, YELLOW)
ALL_GRADES: tuple[str, ...] = (*GRADE_ORDER, UNGRADED)

#: Fill colour and the text colour written on it: every pair reaches WCAG AA's 4.5:1 for
#: normal-size text (tests/scoring/test_grade_contrast.py computes it). The hues are the
#: product's; only lightness was adjusted: green was #1a9641, 3.8:1 with white text.
#: Every other place takes its colours from here: static/css/grades.css and the favicon
#: are written from it (``python -m mapviews.gradecss``), the charts, maps, widget, PDF
#: and XLSX read it.
GRADE_COLOURS: dict[str, tuple[str, str]] = {
    RED: ("#d7191c", "#ffffff"),
    ORANGE: ("#f28e2b", "#1a1a1a"),
    BLUE: ("#2c7bb6", "#ffffff"),
    GREEN: ("#15803d", "#ffffff"),
    YELLOW: ("#ffd92f", "#1a1a1a"),
    UNGRADED: ("#bdbdbd", "#1a1a1a"),
}


def grade_position(grade: str) -> int | None:
    """0 for red … 4 for yellow; None for ungraded. Lower is better."""
    try:
        return GRADE_ORDER.index(grade)
    except ValueError:
        return None


def better_grade(grade: str) -> str:
    """The next better grade (red stays red); ungraded gives blue, the middle."""
    position = grade_position(grade)
    if position is None:
        return BLUE
    return GRADE_ORDER[max(position - 1, 0)]


def average_grade(counts: dict[str, int]) -> str | None:
    """The grade of a group's average position (stations per grade code in ``counts``;
    ungraded ones do not count), halves rounded to the better grade; None when no
    station is graded."""
    graded = [(GRADE_ORDER.index(grade), n) for grade, n in counts.items() if grade in GRADE_ORDER]
    total = sum(n for _position, n in graded)
    if total == 0:
        return None
    mean = sum(position * n for position, n in graded) / total
    return GRADE_ORDER[min(int(mean + 0.5 - 1e-9), len(GRADE_ORDER) - 1)]
