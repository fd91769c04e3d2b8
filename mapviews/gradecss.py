"""static/css/grades.css and the favicon, written from the one list of grade colours.

Each grade's class sets the custom properties the badges, strips and matrix cells
paint with (``--fill``, ``--ink``), so no page needs an inline ``style`` attribute
(the Content-Security-Policy allows none). The favicon is the five colours, best on
top. A test keeps both files equal to this output; after changing ``GRADE_COLOURS``
run ``python -m mapviews.gradecss``.
"""

from __future__ import annotations

from pathlib import Path

from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS, GRADE_ORDER

STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC / "css" / "grades.css"
FAVICON = STATIC / "img" / "favicon.svg"


def grade_stylesheet() -> str:
    lines = ["/* Written by mapviews/gradecss.py from scoring/engine/grades.py: do not edit. */"]
    for grade in ALL_GRADES:
        fill, ink = GRADE_COLOURS[grade]
        lines.append(f".grade-{grade} {{ --fill: {fill}; --ink: {ink}; }}")
    return "\n".join(lines) + "\n"


def favicon_svg() -> str:
    """Five stripes of 4 px, red on top (the file has no comment: browsers read it raw)."""
    stripes = "".join(
        f'<rect{_y(4 * row)} width="20" height="4" fill="{GRADE_COLOURS[grade][0]}"/>'
        for row, grade in enumerate(GRADE_ORDER)
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20">{stripes}</svg>\n'


def _y(offset: int) -> str:
    return f' y="{offset}"' if offset else ""


if __name__ == "__main__":
    STYLESHEET.write_text(grade_stylesheet(), encoding="utf-8")
    FAVICON.write_text(favicon_svg(), encoding="utf-8")
