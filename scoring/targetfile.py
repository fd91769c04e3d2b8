"""Check a targets file (indicator_code,floor,target): known indicators, each once, and
each pair keeping the rule of ``scoring.goalposts.target_error``. An indicator not
listed keeps its current target."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext as _

from scoring.goalposts import Ranged, target_error
from tabular.defects import Defect, FileRejected, repeated_code
from tabular.numbers import parse_number
from tabular.reading import Table, cell_text, header_defects

REQUIRED_COLUMNS = ("indicator_code", "floor", "target")


def _number(cells: list, at: int, column: str, line: int, defects: list[Defect]) -> float | None:
    raw = cells[at] if at < len(cells) else ""
    number = parse_number(raw)
    if number is None:
        defects.append(
            Defect(
                "bad_number",
                _("%r is not a number") % cell_text(raw),
                line=line,
                column=column,
            )
        )
    return number


def parse_target_table(
    table: Table, file_name: str, *, indicators: list[Ranged], retired: Collection[str] = ()
) -> dict[str, tuple[float, float]]:
    """Indicator code → (floor, target) of the indicators listed (``indicators``: those
    that may take one; ``retired``: codes named as retired rather than unknown); raises
    FileRejected with every defect, each with its line."""
    defects = header_defects(table, REQUIRED_COLUMNS)
    if defects:
        raise FileRejected(file_name, defects)
    by_code = {indicator.code: indicator for indicator in indicators}
    code_at, floor_at, target_at = (table.header.index(name) for name in REQUIRED_COLUMNS)
    targets: dict[str, tuple[float, float]] = {}
    lines: dict[str, int] = {}
    for line, cells in table.rows:
        code = cell_text(cells[code_at]).lower() if code_at < len(cells) else ""
        floor = _number(cells, floor_at, "floor", line, defects)
        target = _number(cells, target_at, "target", line, defects)
        indicator = by_code.get(code)
        if indicator is None:
            message = (
                _("indicator %s is retired: it takes no target") % code
                if code in retired
                else _("unknown indicator code %r") % code
            )
            defects.append(Defect("unknown_indicator", message, line=line, column="indicator_code"))
            continue
        if code in lines:
            defects.append(repeated_code(code, lines[code], line))
            continue
        lines[code] = line
        if floor is None or target is None:
            continue
        error = target_error(indicator, floor, target)
        if error:
            defects.append(Defect("bad_target", f"{code}: {error}", line=line))
        else:
            targets[code] = (floor, target)
    if defects:
        raise FileRejected(file_name, defects)
    return targets
