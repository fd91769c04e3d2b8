"""The column-wise check of a file of indicator values: every rule of
``indicators.validation`` at once over a chunk's columns, no Python per cell.

A correct file's values come back as ``ParsedValues`` (the same values the cell-by-cell
check keeps). A file with defects is never described here: the rows the columns show
to be wrong, and the valid rows that repeat a key with another value, are handed to
``parse_indicator_table``, the cell-by-cell check, which names their defects exactly as
always (the messages live in one place); every other row is correct and has nothing to
say. So a rejected file costs memory and time for its defective rows only.

Only what the columns cannot settle returns None, and the caller runs the cell-by-cell
check over the whole file: a header with a missing, repeated or unknown column.

Pure pandas (no ORM): the service passes in what it knows, as for the cell-by-cell check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from indicators.periods import PeriodError, coerce_period, format_period, in_span, is_future
from indicators.validation import (
    FRAME_COLUMNS,
    INDICATOR,
    LONG_COLUMNS,
    PERIOD,
    STATION,
    VALUE,
    ParsedValues,
    ValueReference,
    canonical_header,
    mixed_companies,
    parse_indicator_table,
)
from tabular.defects import Defect, FileRejected
from tabular.frames import LINE
from tabular.numbers import NUMBER_PATTERN
from tabular.reading import Table

KEYS = [STATION, PERIOD, INDICATOR]


class NotClean(Exception):
    """The header is wrong: the cell-by-cell check of the whole file must name it."""


def check_value_chunks(
    header: list[str], chunks: Iterable[pd.DataFrame], reference: ValueReference, file_name: str
) -> ParsedValues | None:
    """The file's values; raises FileRejected naming every defect; None when the whole
    file must be checked cell by cell (see the module docstring)."""
    named = canonical_header(header, reference.aliases)
    if len(set(named)) < len(named):
        return None  # two names of one column: the cell-by-cell check says so
    if named != header:
        renamed = dict(zip(header, named, strict=True))
        chunks = (chunk.rename(columns=renamed) for chunk in chunks)
    try:
        columns = _Columns(named, reference)
    except NotClean:
        return None
    return columns.run(chunks, file_name)


class _Columns:
    def __init__(self, header: list[str], reference: ValueReference):
        self.header = header
        self.reference = reference
        self.wide = INDICATOR not in header and VALUE not in header
        required = (STATION, PERIOD) if self.wide else LONG_COLUMNS
        if any(name not in header for name in required):
            raise NotClean()
        self.indicator_columns = [name for name in header if name not in (STATION, PERIOD)]
        if self.wide and (
            not self.indicator_columns
            or any(name not in reference.indicators for name in self.indicator_columns)
        ):
            raise NotClean()
        self.station_type = pd.CategoricalDtype(sorted(reference.station_company))
        self.indicator_type = pd.CategoricalDtype(sorted(reference.indicators))
        self.low = pd.Series({code: rule.min_value for code, rule in reference.indicators.items()})
        self.high = pd.Series({code: rule.max_value for code, rule in reference.indicators.items()})
        self.periods: dict[str, pd.Timestamp | None] = {}
        self.companies: set[int] = set()
        self.in_force: dict[tuple[str, date], bool] = {}
        #: Rows with a defect, as read: (line, cells in header order).
        self.wrong_rows: list[tuple[int, list[object]]] = []
        self.rows = 0
        self.empty_cells = 0

    def run(self, chunks: Iterable[pd.DataFrame], file_name: str) -> ParsedValues | None:
        pieces = [self.chunk(chunk) for chunk in chunks]
        frame = pd.concat(pieces, ignore_index=True) if pieces else _empty_frame()
        conflicting = self.conflicting(frame)
        if self.wrong_rows or conflicting.any() or len(self.companies) > 1 or not self.rows:
            defects = self.defects(frame[conflicting], file_name)
            if not defects:  # never expected: let the whole file be checked cell by cell
                return None
            raise FileRejected(file_name, defects)
        frame = frame.drop_duplicates(KEYS, keep="first").reset_index(drop=True)
        return ParsedValues(
            frame=frame,
            company_id=next(iter(self.companies)),
            row_count=self.rows,
            empty_cells=self.empty_cells,
            layout="wide" if self.wide else "long",
        )

    # --- Defects: the cell-by-cell check over the rows that have some -------------------

    def conflicting(self, frame: pd.DataFrame) -> pd.Series:
        """The valid values whose key is given again with another value."""
        repeated = frame.duplicated(KEYS, keep=False)
        if not repeated.any():
            return repeated
        values = frame[VALUE].where(repeated)
        spread = values.groupby([frame[k] for k in KEYS], observed=True).transform("nunique")
        return repeated & (spread > 1)

    def defects(self, conflicts: pd.DataFrame, file_name: str) -> list[Defect]:
        rows = dict(self.wrong_rows)
        for line, values in conflicts.groupby("line"):
            if line not in rows:
                rows[int(line)] = self.rebuilt_row(values)
        found = []
        if rows:
            table = Table(header=self.header, rows=sorted(rows.items()))
            try:
                parse_indicator_table(table, self.reference, file_name)
            except FileRejected as refusal:
                found = [d for d in refusal.defects if d.code != "mixed_companies"]
        if len(self.companies) > 1:
            found.append(mixed_companies())
        return found

    def rebuilt_row(self, values: pd.DataFrame) -> list[object]:
        """A correct row as its cells read (the same values, so the same messages)."""
        cells: list[object] = [""] * len(self.header)
        position = {name: index for index, name in enumerate(self.header)}
        first = values.iloc[0]
        cells[position[STATION]] = str(first[STATION])
        cells[position[PERIOD]] = format_period(first[PERIOD].date())
        for indicator, value in zip(values[INDICATOR], values[VALUE], strict=True):
            if self.wide:
                cells[position[str(indicator)]] = repr(float(value))
            else:
                cells[position[INDICATOR]] = str(indicator)
                cells[position[VALUE]] = repr(float(value))
        return cells

    # --- One chunk: which cells are right ----------------------------------------------

    def chunk(self, chunk: pd.DataFrame) -> pd.DataFrame:
        self.rows += len(chunk)
        companies = chunk[STATION].map(self.reference.station_company)
        self.companies.update(int(company) for company in companies.dropna().unique())
        stamps = self.period_stamps(chunk[PERIOD])
        row_ok = companies.notna() & stamps.notna()
        if not self.wide:
            indicators = chunk[INDICATOR].str.lower()
            ok = row_ok & self.value_ok(indicators, chunk[VALUE], stamps)
            self.keep_wrong(chunk, ~ok)
            return self.values(chunk[ok], indicators[ok], chunk[VALUE][ok], stamps[ok])
        filled = pd.DataFrame({code: chunk[code] != "" for code in self.indicator_columns})
        self.empty_cells += int((~filled).to_numpy().sum())
        wrong = ~filled.any(axis=1) | ~row_ok
        pieces = []
        for code in self.indicator_columns:
            codes = pd.Series(code, index=chunk.index)
            ok = self.value_ok(codes, chunk[code], stamps)
            wrong |= filled[code] & ~ok
            good = row_ok & filled[code] & ok
            pieces.append(self.values(chunk[good], codes[good], chunk[code][good], stamps[good]))
        self.keep_wrong(chunk, wrong)
        return pd.concat(pieces, ignore_index=True)

    def keep_wrong(self, chunk: pd.DataFrame, wrong: pd.Series) -> None:
        if wrong.any():
            rows = chunk[wrong]
            self.wrong_rows.extend(
                zip(rows[LINE].tolist(), rows[self.header].to_numpy().tolist(), strict=True)
            )

    def period_stamps(self, cells: pd.Series) -> pd.Series:
        """Each cell's month, NaT when empty, malformed or in the future."""
        for text in cells.unique():
            if text not in self.periods:
                try:
                    period = coerce_period(text) if text else None
                except PeriodError:
                    period = None
                good = period is not None and not is_future(period, self.reference.today)
                self.periods[text] = pd.Timestamp(period) if good else None
        return pd.to_datetime(cells.map(self.periods))

    def value_ok(self, indicators: pd.Series, cells: pd.Series, stamps: pd.Series) -> pd.Series:
        """A known indicator, a finite number in its range, a month it is in force."""
        known = indicators.isin(self.reference.indicators.keys())
        number = cells.str.fullmatch(NUMBER_PATTERN).fillna(False).astype(bool)
        numbers = _numbers(cells, number)
        low = self.low.reindex(indicators.to_numpy()).to_numpy()
        high = self.high.reindex(indicators.to_numpy()).to_numpy()
        with np.errstate(invalid="ignore"):
            in_range = np.isfinite(numbers) & (low <= numbers) & (numbers <= high)
        ok = known & number & pd.Series(in_range, index=cells.index)
        checkable = known & stamps.notna()
        pairs = pd.DataFrame({"i": indicators[checkable], "p": stamps[checkable]})
        forced = pd.Series(True, index=cells.index)
        for indicator, stamp in pairs.drop_duplicates().itertuples(index=False):
            if not self.is_in_force(indicator, stamp.date()):
                forced &= ~((indicators == indicator) & (stamps == stamp))
        return ok & forced

    def is_in_force(self, indicator: str, period: date) -> bool:
        key = (indicator, period)
        if key not in self.in_force:
            rule = self.reference.indicators[indicator]
            self.in_force[key] = in_span(period, rule.active_from, rule.retired_from)
        return self.in_force[key]

    def values(
        self, chunk: pd.DataFrame, indicators: pd.Series, cells: pd.Series, stamps: pd.Series
    ) -> pd.DataFrame:
        return pd.DataFrame(
            {
                STATION: pd.Categorical(chunk[STATION].to_numpy(), dtype=self.station_type),
                PERIOD: stamps.to_numpy(dtype="datetime64[ns]"),
                INDICATOR: pd.Categorical(indicators.to_numpy(), dtype=self.indicator_type),
                VALUE: cells.to_numpy(dtype=object).astype(np.float64),
                "line": chunk[LINE].to_numpy(dtype=np.int64),
            },
            columns=list(FRAME_COLUMNS),
        )


def _numbers(cells: pd.Series, number: pd.Series) -> np.ndarray:
    """The cells as floats (NaN where not a number)."""
    numbers = np.full(len(cells), np.nan)
    numbers[number.to_numpy()] = cells[number].to_numpy(dtype=object).astype(np.float64)
    return numbers


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({name: [] for name in FRAME_COLUMNS})
