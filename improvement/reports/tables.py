"""One of the bulletin's tables as CSV: every row of a list the bulletin cuts, for a
spreadsheet (UTF-8 with a byte-order mark, as the ranking's download, so Excel reads the
Chinese; cells a spreadsheet would run as formulas neutralised)."""

from __future__ import annotations

import pandas as pd

from improvement.text.bulletin import Alert, GradeCell, Section
from scoring.exports import neutralise_cell


def section_csv(section: Section) -> bytes:
    frame = pd.DataFrame(
        [[_value(value) for value in row] for row in section.rows],
        columns=[column.header for column in section.columns],
        dtype=object,  # a rank stays 3, not 3.0, in a column with gaps
    )
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _value(value):
    if isinstance(value, GradeCell | Alert):
        return value.text
    if isinstance(value, float):
        return f"{value:.2f}"  # scores, as published
    return neutralise_cell(value)
