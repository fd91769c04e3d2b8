"""Check a table of indicator values cell by cell, collecting every defect.

Pure functions over plain data (no ORM): the service passes in what it knows
about stations and indicators, and gets back clean values or every problem.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from django.utils.translation import gettext as _

from indicators.periods import (
    PERIOD_FORMAT_HINT,
    PeriodError,
    coerce_period,
    format_period,
    in_span,
    is_future,
)
from tabular.defects import Defect, FileRejected, other_line
from tabular.numbers import parse_number
from tabular.reading import Table, cell_text, header_defects

STATION = "station_code"
PERIOD = "period"
INDICATOR = "indicator_code"
VALUE = "value"
LONG_COLUMNS = (STATION, PERIOD, INDICATOR, VALUE)


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    min_value: float
    max_value: float
    #: The months it is in force: from ``active_from`` (None: always) until, not
    #: including, ``retired_from`` (None: never).
    active_from: date | None = None
    retired_from: date | None = None


@dataclass(frozen=True)
class ValueReference:
    """What the checks need to know: station code → company id, the indicators, today."""

    station_company: dict[str, int]
    indicators: dict[str, IndicatorRule]
    today: date
    #: Other names a header may give a column (lower case) → the column's code: the
    #: indicators' Chinese and English names, 供电所编码 for station_code …
    aliases: dict[str, str] = field(default_factory=dict)


#: Chinese headers for the fixed columns (lower case, like every header).
COLUMN_ALIASES = {
    "供电所编码": STATION,
    "供电所代码": STATION,
    "编码": STATION,
    "月份": PERIOD,
    "期间": PERIOD,
    "指标": INDICATOR,
    "指标编码": INDICATOR,
    "值": VALUE,
    "数值": VALUE,
}


def header_aliases(names: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """The other names of the columns: each indicator code's names (its Chinese name
    with and without 指数, its English name) plus the fixed columns' Chinese names."""
    aliases = dict(COLUMN_ALIASES)
    for code, their_names in names.items():
        for name in their_names:
            name = name.strip().lower()
            if not name:
                continue
            bare = name.strip("“”\"'「」")  # “获得电力”指数 → 获得电力”指数 …
            bare = bare.replace("“", "").replace("”", "").replace('"', "")
            stems = {name, bare}
            for variant in {v for stem in stems for v in (stem, stem.removesuffix("指数"))}:
                if variant and variant not in LONG_COLUMNS:
                    aliases.setdefault(variant, code)
    return aliases


#: A header ending in its code in brackets, as the templates write it: 安全生产指数（safety）.
CODE_IN_BRACKETS = re.compile(r"[(（]\s*([a-z0-9_]+)\s*[)）]\s*$")


def canonical_header(header: list[str], aliases: dict[str, str]) -> list[str]:
    """The header with every known other name replaced by its column's code."""
    known = set(aliases.values())
    named = []
    for name in header:
        bracketed = CODE_IN_BRACKETS.search(name)
        if name not in aliases and bracketed and bracketed.group(1) in known:
            named.append(bracketed.group(1))
        else:
            named.append(aliases.get(name, name))
    return named


def did_you_mean(name: str, reference: ValueReference) -> str:
    """The unknown column's message: the nearest known name, then every valid column."""
    codes = sorted(reference.indicators)
    candidates = {code: code for code in codes}
    candidates.update(
        {alias: code for alias, code in reference.aliases.items() if code in reference.indicators}
    )
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    valid = ", ".join(codes)
    if close:
        return _(
            "unknown indicator column %(name)r; did you mean %(guess)r? The indicator "
            "columns are: %(valid)s"
        ) % {"name": name, "guess": candidates[close[0]], "valid": valid}
    return _("unknown indicator column %(name)r; the indicator columns are: %(valid)s") % {
        "name": name,
        "valid": valid,
    }


@dataclass(frozen=True)
class ValueRecord:
    station_code: str
    period: date
    indicator_code: str
    value: float
    line: int


#: The columns of ``ParsedValues.frame``, one row per value kept.
FRAME_COLUMNS = (STATION, PERIOD, INDICATOR, VALUE, "line")


@dataclass
class ParsedValues:
    """The checked values of a file: ``frame`` has one row per value to store (columns
    ``FRAME_COLUMNS``; codes as categories, the period as datetime64, the first line
    that gave the value), each (station, period, indicator) once."""

    frame: pd.DataFrame
    company_id: int
    row_count: int
    empty_cells: int
    layout: str

    @classmethod
    def from_records(cls, records: list[ValueRecord], **counts) -> ParsedValues:
        """From checked records (``company_id``, ``row_count``, ``empty_cells``, ``layout``
        as keywords), as the cell-by-cell check builds it."""
        return cls(frame=values_frame(records), **counts)

    @property
    def periods(self) -> list[date]:
        return sorted(stamp.date() for stamp in self.frame[PERIOD].unique())

    @property
    def value_count(self) -> int:
        return len(self.frame)

    @property
    def records(self) -> list[ValueRecord]:
        """The values one by one (for small files and tests; the writers use ``frame``)."""
        frame = self.frame
        return [
            ValueRecord(str(station), stamp.date(), str(indicator), float(value), int(line))
            for station, stamp, indicator, value, line in zip(
                frame[STATION],
                frame[PERIOD],
                frame[INDICATOR],
                frame[VALUE],
                frame["line"],
                strict=True,
            )
        ]


def values_frame(records: list[ValueRecord]) -> pd.DataFrame:
    """``records`` as a ``ParsedValues.frame``."""
    return pd.DataFrame(
        {
            STATION: pd.Categorical([r.station_code for r in records]),
            PERIOD: pd.to_datetime([r.period for r in records]).astype("datetime64[ns]"),
            INDICATOR: pd.Categorical([r.indicator_code for r in records]),
            VALUE: pd.array([r.value for r in records], dtype="float64"),
            "line": pd.array([r.line for r in records], dtype="int64"),
        },
        columns=list(FRAME_COLUMNS),
    )


class _Checker:
    def __init__(self, reference: ValueReference):
        self.reference = reference
        self.defects: list[Defect] = []
        self.companies: dict[int, int] = {}  # company id → first line seen
        self.seen: dict[tuple[str, date, str], tuple[float, int]] = {}
        self.records: list[ValueRecord] = []

    def add(self, code: str, message: str, line: int | None, column: str | None) -> None:
        self.defects.append(Defect(code, message, line=line, column=column))

    def station(self, raw: object, line: int) -> str | None:
        code = cell_text(raw)
        if not code:
            self.add("empty_value", _("the station code is empty"), line, STATION)
            return None
        company = self.reference.station_company.get(code)
        if company is None:
            self.add("unknown_station", _("unknown station code %r") % code, line, STATION)
            return None
        self.companies.setdefault(company, line)
        return code

    def period(self, raw: object, line: int) -> date | None:
        if cell_text(raw) == "":
            self.add("empty_value", _("the period is empty"), line, PERIOD)
            return None
        try:
            period = coerce_period(raw)
        except PeriodError:
            self.add(
                "bad_period",
                _("%(value)r is not a month of the form %(hint)s")
                % {"value": cell_text(raw), "hint": PERIOD_FORMAT_HINT},
                line,
                PERIOD,
            )
            return None
        if is_future(period, self.reference.today):
            self.add(
                "future_period",
                _("%(period)s is in the future") % {"period": format_period(period)},
                line,
                PERIOD,
            )
            return None
        return period

    def indicator(self, raw: object, line: int) -> str | None:
        code = cell_text(raw).lower()
        if not code:
            self.add("empty_value", _("the indicator code is empty"), line, INDICATOR)
            return None
        if code not in self.reference.indicators:
            self.add("unknown_indicator", _("unknown indicator code %r") % code, line, INDICATOR)
            return None
        return code

    def value(self, raw: object, indicator: str | None, line: int, column: str) -> float | None:
        if cell_text(raw) == "":
            self.add("empty_value", _("the value is empty"), line, column)
            return None
        number = parse_number(raw)
        if number is None:
            self.add(
                "not_a_number",
                _("%r is not a finite number") % cell_text(raw),
                line,
                column,
            )
            return None
        rule = self.reference.indicators.get(indicator or "")
        if rule and not rule.min_value <= number <= rule.max_value:
            self.add(
                "out_of_range",
                _("%(value)s is outside the valid range %(low)s to %(high)s of %(code)s")
                % {
                    "value": cell_text(raw),
                    "low": f"{rule.min_value:g}",
                    "high": f"{rule.max_value:g}",
                    "code": rule.code,
                },
                line,
                column,
            )
            return None
        return number

    def in_force(self, indicator: str, period: date, line: int, column: str) -> bool:
        """A value counts only for a month the indicator is in force."""
        rule = self.reference.indicators[indicator]
        if in_span(period, rule.active_from, rule.retired_from):
            return True
        if rule.retired_from is not None and period >= rule.retired_from:
            message = _(
                "%(code)s is retired from %(retired)s: no values for %(period)s are accepted"
            ) % {
                "code": rule.code,
                "retired": format_period(rule.retired_from),
                "period": format_period(period),
            }
        else:
            message = _(
                "%(code)s counts only from %(start)s: no values for %(period)s are accepted"
            ) % {
                "code": rule.code,
                "start": format_period(rule.active_from),
                "period": format_period(period),
            }
        self.add("not_in_force", message, line, column)
        return False

    def keep(
        self, station: str, period: date, indicator: str, value: float, line: int, column: str
    ) -> None:
        key = (station, period, indicator)
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = (value, line)
            self.records.append(ValueRecord(station, period, indicator, value, line))
        elif earlier[0] != value:
            self.add(
                "conflicting_duplicate",
                _(
                    "%(station)s %(period)s %(indicator)s is given again with another value "
                    "(%(value)s here, %(earlier)s on %(where)s)"
                )
                % {
                    "station": station,
                    "period": format_period(period),
                    "indicator": indicator,
                    "value": f"{value:g}",
                    "earlier": f"{earlier[0]:g}",
                    "where": other_line(earlier[1]),
                },
                line,
                column,
            )


def mixed_companies() -> Defect:
    """The defect of a file whose stations belong to several companies."""
    return Defect(
        "mixed_companies",
        _("the file mixes stations of several companies; import one company per file"),
        line=None,
        column=STATION,
    )


def parse_indicator_table(table: Table, reference: ValueReference, file_name: str) -> ParsedValues:
    """Long form (station_code, period, indicator_code, value) or wide form
    (station_code, period, one column per indicator code). Raises FileRejected."""
    table = Table(
        header=canonical_header(table.header, reference.aliases),
        rows=table.rows,
        encoding=table.encoding,
    )
    wide = INDICATOR not in table.header and VALUE not in table.header
    required = (STATION, PERIOD) if wide else LONG_COLUMNS
    defects = header_defects(table, required)
    indicator_columns: list[tuple[int, str]] = []
    if wide:
        for index, name in enumerate(table.header):
            if name in (STATION, PERIOD) or name == "":
                continue
            if name in reference.indicators:
                indicator_columns.append((index, name))
            else:
                defects.append(
                    Defect(
                        "unknown_indicator",
                        did_you_mean(name, reference),
                        line=1,
                        column=name,
                    )
                )
        if not indicator_columns and not defects:
            defects.append(Defect("missing_column", _("no indicator columns were found"), line=1))
    if defects:
        raise FileRejected(file_name, defects)

    position = {name: index for index, name in enumerate(table.header)}
    checker = _Checker(reference)
    empty_cells = 0

    def cell(cells: list[object], name: str) -> object:
        index = position[name]
        return cells[index] if index < len(cells) else ""

    for line, cells in table.rows:
        station = checker.station(cell(cells, STATION), line)
        period = checker.period(cell(cells, PERIOD), line)
        if wide:
            filled = 0
            for index, code in indicator_columns:
                raw = cells[index] if index < len(cells) else ""
                if cell_text(raw) == "":
                    empty_cells += 1
                    continue
                filled += 1
                number = checker.value(raw, code, line, code)
                allowed = period is not None and checker.in_force(code, period, line, code)
                if station and allowed and number is not None:
                    checker.keep(station, period, code, number, line, code)
            if filled == 0:
                checker.add("empty_value", _("the row has no indicator values"), line, None)
        else:
            indicator = checker.indicator(cell(cells, INDICATOR), line)
            number = checker.value(cell(cells, VALUE), indicator, line, VALUE)
            allowed = (
                period is not None
                and indicator is not None
                and checker.in_force(indicator, period, line, INDICATOR)
            )
            if station and allowed and number is not None:
                checker.keep(station, period, indicator, number, line, VALUE)

    if len(checker.companies) > 1:
        checker.defects.append(mixed_companies())
    if checker.defects:
        raise FileRejected(file_name, checker.defects)
    return ParsedValues.from_records(
        checker.records,
        company_id=next(iter(checker.companies)),
        row_count=len(table.rows),
        empty_cells=empty_cells,
        layout="wide" if wide else "long",
    )
