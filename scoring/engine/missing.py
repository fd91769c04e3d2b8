"""Missing values: carry a station's last value forward (the other policies, re-weight
and disqualify, are decided where the score and the grade are computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def carry_forward(
    values: pd.DataFrame, history: list[pd.DataFrame], codes: list[str], max_months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill each missing value of ``codes`` with the station's latest value of the
    ``max_months`` months before.

    ``history``: the earlier months' raw values, the month before first. Returns the
    filled values and, for the same cells, how many months back each carried value is
    from (0 where nothing was carried).
    """
    filled = values.copy()
    age = pd.DataFrame(0, index=values.index, columns=codes, dtype=np.int64)
    codes = [code for code in codes if code in values.columns]
    for months_back, earlier in enumerate(history[:max_months], start=1):
        if not codes:
            break
        before = earlier.reindex(index=values.index, columns=codes).to_numpy(dtype=float)
        current = filled[codes].to_numpy(dtype=float)
        take = np.isnan(current) & ~np.isnan(before)
        if not take.any():
            continue
        filled[codes] = np.where(take, before, current)
        age[codes] = np.where(take, months_back, age[codes].to_numpy())
    return filled, age
