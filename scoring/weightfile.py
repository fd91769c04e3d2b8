"""Check a weights CSV (indicator_code,weight): known codes, each once, summing to 100."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tabular.defects import Defect, FileRejected
from tabular.reading import Table, cell_text, header_defects

WEIGHT_TOTAL = Decimal(100)
REQUIRED_COLUMNS = ("indicator_code", "weight")


def parse_weight(raw: str) -> Decimal | None:
    """A weight from 0 to 100 with at most two decimals, or None."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= WEIGHT_TOTAL:
        return None
    if value.normalize().as_tuple().exponent < -2:
        return None
    return value


def weights_total_error(weights: dict[str, Decimal]) -> str | None:
    """The rule every weight version keeps: the weights sum to exactly 100."""
    total = sum(weights.values(), Decimal(0))
    if total != WEIGHT_TOTAL:
        return _("the weights sum to %(total)s, not 100") % {"total": total}
    return None


def parse_weight_table(
    table: Table, file_name: str, *, indicator_codes: list[str]
) -> dict[str, Decimal]:
    """Map of indicator code → weight; raises FileRejected with every defect."""
    defects = header_defects(table, REQUIRED_COLUMNS)
    if defects:
        raise FileRejected(file_name, defects)
    code_at, weight_at = table.header.index("indicator_code"), table.header.index("weight")
    weights: dict[str, Decimal] = {}
    lines: dict[str, int] = {}
    for line, cells in table.rows:
        code = cell_text(cells[code_at]).lower() if code_at < len(cells) else ""
        raw = cell_text(cells[weight_at]) if weight_at < len(cells) else ""
        if code not in indicator_codes:
            defects.append(
                Defect(
                    "unknown_indicator",
                    _("unknown indicator code %r") % code,
                    line=line,
                    column="indicator_code",
                )
            )
        elif code in lines:
            defects.append(
                Defect(
                    "duplicate_indicator",
                    _("%(code)s was already given on line %(line)d")
                    % {"code": code, "line": lines[code]},
                    line=line,
                    column="indicator_code",
                )
            )
        weight = parse_weight(raw)
        if weight is None:
            defects.append(
                Defect(
                    "bad_weight",
                    _("%r is not a weight (a number from 0 to 100 with at most 2 decimals)") % raw,
                    line=line,
                    column="weight",
                )
            )
        if code in indicator_codes and code not in lines:
            lines[code] = line
            if weight is not None:
                weights[code] = weight
    for code in indicator_codes:
        if code not in lines:
            defects.append(
                Defect(
                    "missing_indicator",
                    _("indicator %s has no weight (give 0 to leave it out)") % code,
                    column="indicator_code",
                )
            )
    total_error = weights_total_error(weights)
    if not defects and total_error:
        defects.append(Defect("bad_total", total_error, column="weight"))
    if defects:
        raise FileRejected(file_name, defects)
    return weights
