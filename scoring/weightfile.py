"""Check a weights CSV (indicator_code,weight): known codes, each once, a positive total.

The rule of every weight version lives here: each weight is a number of 0 or more with at
most two decimals (what ``Weight.weight`` stores), and they are not all 0. An indicator
counts by its **share**, its weight ÷ the total (the engine divides by the total weight
of the indicators a station has), so 1, 1, 1 weighs three indicators a third each and
versions summing to 100 read as percentages, as they always did."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.utils.translation import gettext as _

from tabular.defects import Defect, FileRejected, repeated_code
from tabular.reading import Table, cell_text, header_defects

#: The largest weight ``Weight.weight`` stores (6 digits, 2 of them decimals).
WEIGHT_MAX = Decimal("9999.99")
WEIGHT_DECIMALS = 2
REQUIRED_COLUMNS = ("indicator_code", "weight")
Key = TypeVar("Key")


def parse_weight(raw: str) -> Decimal | None:
    """A weight from 0 to ``WEIGHT_MAX`` with at most two decimals, or None."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= WEIGHT_MAX:
        return None
    if value.normalize().as_tuple().exponent < -WEIGHT_DECIMALS:
        return None
    return value


def weights_total_error(weights: Mapping[str, Decimal]) -> str | None:
    """The rule every weight version keeps: a positive total (the shares need one)."""
    if sum(weights.values(), Decimal(0)) <= 0:
        return _("the weights are all 0: give at least one indicator a weight above 0")
    return None


def weight_shares(weights: Mapping[Key, Decimal | float | None]) -> dict[Key, float | None]:
    """Each indicator's share of the total weight, in percent (None where it has no
    weight; all None when the total is 0). A version summing to 100 gives its weights."""
    total = sum((Decimal(str(w)) for w in weights.values() if w is not None), Decimal(0))
    return {
        code: None if weight is None or total <= 0 else float(Decimal(str(weight)) * 100 / total)
        for code, weight in weights.items()
    }


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
            defects.append(repeated_code(code, lines[code], line))
        weight = parse_weight(raw)
        if weight is None:
            defects.append(
                Defect(
                    "bad_weight",
                    _(
                        "%(value)r is not a weight (a number from 0 to %(max)s with at most "
                        "2 decimals)"
                    )
                    % {"value": raw, "max": WEIGHT_MAX},
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
