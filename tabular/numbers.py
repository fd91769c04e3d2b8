"""A number in a cell of an uploaded table, as people write it."""

from __future__ import annotations

import math
import re

#: A plain decimal number as people write it: no "1_0", no full-width digits, no "NaN".
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def parse_number(raw: object) -> float | None:
    """A finite float, or None when the cell is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw).strip()
        if not NUMBER_PATTERN.match(text):
            return None
        number = float(text)
    return number if math.isfinite(number) else None
