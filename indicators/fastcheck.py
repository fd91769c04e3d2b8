"""The column-wise check of a file of indicator values: every rule of
``indicators.validation`` at once over a chunk's columns, no Python per cell.

It only answers "clean" or "not proven clean". A clean file's values come back as
``ParsedValues`` (the same values the cell-by-cell check keeps). For anything else it
returns None and the caller runs ``parse_indicator_table``, which names every defect
with its line exactly as always: the messages live in one place, and a rejected file
costs the old time while a correct one is checked at the speed of pandas.

Pure pandas (no ORM): the service passes in what it knows, as for the cell-by-cell check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from indicators.periods import PeriodError, coerce_period, in_span, is_future
from indicators.validation import (
    FRAME_COLUMNS,
    INDICATOR,
    LONG_COLUMNS,
    PERIOD,
    STATION,
    VALUE,
    ParsedValues,
    ValueReference,
)
from tabular.frames import LINE
from tabular.numbers import NUMBER_PATTERN


class NotClean(Exception):
    """Some cell breaks a rule (or may): the cell-by-cell check must name it."""


def check_value_chunks(
    header: list[str], chunks: Iterable[pd.DataFrame], reference: ValueReference
) -> ParsedValues | None:
    """The file's values if every rule holds, else None (see the module docstring)."""
    try:
        return _Columns(header, reference).run(chunks)
    except NotClean:
        return None


class _Columns:
    def __init__(self, header: list[str], reference: ValueReference):
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
        self.periods: dict[str, pd.Timestamp] = {}
        self.companies: set[int] = set()
        self.in_force: dict[tuple[str, date], bool] = {}
        self.rows = 0
        self.empty_cells = 0

    def run(self, chunks: Iterable[pd.DataFrame]) -> ParsedValues:
        pieces = [self.chunk(chunk) for chunk in chunks]
        if not self.rows or len(self.companies) != 1:
            raise NotClean()
        frame = pd.concat(pieces, ignore_index=True)
        keys = [STATION, PERIOD, INDICATOR]
        repeated = frame.duplicated(keys, keep=False)
        if repeated.any():
            values = frame.loc[repeated].groupby(keys, observed=True)[VALUE].nunique()
            if (values > 1).any():
                raise NotClean()
            frame = frame.drop_duplicates(keys, keep="first").reset_index(drop=True)
        return ParsedValues(
            frame=frame,
            company_id=next(iter(self.companies)),
            row_count=self.rows,
            empty_cells=self.empty_cells,
            layout="wide" if self.wide else "long",
        )

    def chunk(self, chunk: pd.DataFrame) -> pd.DataFrame:
        self.rows += len(chunk)
        stations = self.station_codes(chunk[STATION])
        periods = self.period_dates(chunk[PERIOD])
        if not self.wide:
            indicators = chunk[INDICATOR].str.lower()
            return self.values(stations, periods, indicators, chunk[VALUE], chunk[LINE])
        filled = pd.DataFrame({code: chunk[code] != "" for code in self.indicator_columns})
        if not filled.any(axis=1).all():
            raise NotClean()  # a row without any indicator value
        self.empty_cells += int((~filled).to_numpy().sum())
        pieces = []
        for code in self.indicator_columns:
            rows = filled[code].to_numpy()
            indicators = pd.Series(code, index=chunk.index[rows])
            pieces.append(
                self.values(
                    stations[rows],
                    periods[rows],
                    indicators,
                    chunk[code][rows],
                    chunk[LINE][rows],
                )
            )
        return pd.concat(pieces, ignore_index=True)

    def station_codes(self, codes: pd.Series) -> pd.Series:
        companies = codes.map(self.reference.station_company)
        if companies.isna().any():
            raise NotClean()  # empty or unknown station codes
        self.companies.update(int(company) for company in companies.unique())
        return codes

    def period_dates(self, cells: pd.Series) -> pd.Series:
        for text in cells.unique():
            if text not in self.periods:
                try:
                    period = coerce_period(text) if text else None
                except PeriodError:
                    period = None
                if period is None or is_future(period, self.reference.today):
                    raise NotClean()
                self.periods[text] = pd.Timestamp(period)
        return cells.map(self.periods)

    def values(
        self,
        stations: pd.Series,
        periods: pd.Series,
        indicators: pd.Series,
        cells: pd.Series,
        lines: pd.Series,
    ) -> pd.DataFrame:
        if not indicators.isin(self.reference.indicators.keys()).all():
            raise NotClean()  # empty or unknown indicator codes
        if not cells.str.fullmatch(NUMBER_PATTERN).all():
            raise NotClean()  # empty cells or not numbers
        numbers = cells.to_numpy(dtype=object).astype(np.float64)
        low = self.low.reindex(indicators.to_numpy()).to_numpy()
        high = self.high.reindex(indicators.to_numpy()).to_numpy()
        if not (np.isfinite(numbers) & (low <= numbers) & (numbers <= high)).all():
            raise NotClean()
        pairs = pd.DataFrame({"i": indicators.to_numpy(), "p": periods.to_numpy()})
        for indicator, stamp in pairs.drop_duplicates().itertuples(index=False):
            self.check_in_force(indicator, pd.Timestamp(stamp).date())
        return pd.DataFrame(
            {
                STATION: pd.Categorical(stations.to_numpy(), dtype=self.station_type),
                PERIOD: periods.to_numpy(dtype="datetime64[ns]"),
                INDICATOR: pd.Categorical(indicators.to_numpy(), dtype=self.indicator_type),
                VALUE: numbers,
                "line": lines.to_numpy(dtype=np.int64),
            },
            columns=list(FRAME_COLUMNS),
        )

    def check_in_force(self, indicator: str, period: date) -> None:
        key = (indicator, period)
        if key not in self.in_force:
            rule = self.reference.indicators[indicator]
            self.in_force[key] = in_span(period, rule.active_from, rule.retired_from)
        if not self.in_force[key]:
            raise NotClean()
