"""static/css/grades.css, written from the one list of grade colours.

Each grade's class sets the custom properties the badges, strips and matrix cells
paint with (``--fill``, ``--ink``), so no page needs an inline ``style`` attribute
(the Content-Security-Policy allows none). A test keeps the file equal to this
output; after changing ``GRADE_COLOURS`` run ``python -m mapviews.gradecss``.
"""

from __future__ import annotations

from pathlib import Path

from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "grades.css"


def grade_stylesheet() -> str:
    lines = ["/* Written by mapviews/gradecss.py from scoring/engine/grades.py: do not edit. */"]
    for grade in ALL_GRADES:
        fill, ink = GRADE_COLOURS[grade]
        lines.append(f".grade-{grade} {{ --fill: {fill}; --ink: {ink}; }}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    STYLESHEET.write_text(grade_stylesheet(), encoding="utf-8")
