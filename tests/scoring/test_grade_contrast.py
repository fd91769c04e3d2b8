"""Every grade's label is readable on its colour: WCAG 2 AA asks 4.5:1 for text under
18.66 px bold / 24 px, and grade labels are 12–16 px (badges, map areas, matrix cells,
the PDF and XLSX cells). Computed from the palette, so a new colour is checked at once."""

from __future__ import annotations

import pytest

from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS

AA_NORMAL_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a ``#rrggbb`` colour (sRGB, linearised)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#ffffff", "#000000", 21.0),  # the extremes
        ("#777777", "#ffffff", 4.48),  # the well-known grey just under AA
        ("#1a9641", "#ffffff", 3.83),  # the old green, as the issue measured it
        ("#d7191c", "#ffffff", 5.19),
    ],
)
def test_the_contrast_formula_gives_known_ratios(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("grade", ALL_GRADES)
def test_every_grade_label_reaches_aa_on_its_colour(grade):
    fill, text = GRADE_COLOURS[grade]
    ratio = contrast_ratio(fill, text)
    assert ratio >= AA_NORMAL_TEXT, f"{grade}: {text} on {fill} is {ratio:.2f}:1"


def test_the_palette_is_written_as_six_digit_colours():
    """The formula above and the CSS, plotly, reportlab and openpyxl writers read
    ``#rrggbb``; a short or named colour would slip past the check."""
    for fill, text in GRADE_COLOURS.values():
        for colour in (fill, text):
            assert len(colour) == 7 and colour.startswith("#")
            int(colour[1:], 16)
