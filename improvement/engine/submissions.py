"""What has arrived for a month (pure pandas/numpy, no Django): due dates, lateness, and
values that look wrong.

- **Due**: a month's values are due by day ``due_day`` of the following month
  (``due_date``); a value missing after that day is *late*, before it *missing* (not yet
  due).
- **A jump**: a value far outside the station's own history of that indicator, by the
  robust z-score against its last 12 months (``robust_z``)::

      z = (value − median) / (1.4826 · MAD)

  where MAD is the median absolute deviation of those months (1.4826 · MAD estimates the
  standard deviation of normal data, and one wild month cannot move it as it moves a mean
  and standard deviation). |z| ≥ ``JUMP_Z`` (3.5, the usual cut of Iglewicz and Hoaglin)
  is a jump. Fewer than ``MIN_HISTORY`` months say nothing. A flat history (MAD 0) has no
  spread to measure a z-score against: no change is no jump, and any change from it is a
  jump of its own kind, *a change from a constant history*, with no z-score (z is None in
  ``robust_z``, NaN in ``find_jumps``; never infinite).
- **At the edge**: a value at its indicator's lowest or highest valid value
  (``Indicator.min_value`` / ``max_value``; ``EDGE_SHARE`` of the range widens it, 0 by
  default): often a placeholder (0, 100) for a value the platform did not compute. A margin
  of 1 % flagged one value in six of the demo (every outage count under 10 on a 0–1000
  scale), so only the bounds themselves count.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

#: |robust z| at or above this is a jump.
JUMP_Z = 3.5
#: Months of history needed before a jump is judged.
MIN_HISTORY = 6
#: Months of history read.
HISTORY_MONTHS = 12
#: Share of the valid range, at either end, that counts as the edge (0: the bounds only).
EDGE_SHARE = 0.0
#: The consistency constant that makes the MAD estimate a standard deviation.
MAD_SCALE = 1.4826


def due_date(period: date, due_day: int) -> date:
    """The day a month's values are due: ``due_day`` of the following month."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, due_day)


def is_late(period: date, due_day: int, today: date) -> bool:
    """Whether values still missing today are late (the due day has passed)."""
    return today > due_date(period, due_day)


def robust_z(history: np.ndarray, value: float) -> float | None:
    """The value's robust z-score against its history: None with too little history or a
    flat one (MAD 0: no spread to measure against; ``changed_from_flat`` tells a change)."""
    history = history[~np.isnan(history)]
    if len(history) < MIN_HISTORY:
        return None
    median = float(np.median(history))
    mad = float(np.median(np.abs(history - median)))
    if mad == 0:
        return 0.0 if value == median else None
    return (value - median) / (MAD_SCALE * mad)


def changed_from_flat(history: np.ndarray, value: float) -> bool:
    """Whether the value differs from a flat history (enough months, every one equal)."""
    history = history[~np.isnan(history)]
    if len(history) < MIN_HISTORY:
        return False
    median = float(np.median(history))
    return float(np.median(np.abs(history - median))) == 0 and value != median


def at_edge(value: float, low: float, high: float, share: float = EDGE_SHARE) -> bool:
    """Whether the value lies within ``share`` of the range [low, high] from either end."""
    margin = (high - low) * share
    return value <= low + margin or value >= high - margin


def find_jumps(month: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The month's values that jump. ``month``: columns station_id, indicator_id, value;
    ``history``: the same columns plus period (the months before). Returns the month's
    rows with |z| ≥ ``JUMP_Z`` or a change from a flat history (z NaN: no spread to measure
    against), with columns z and median: the changes from a flat history first, then the
    largest |z|."""
    columns = ["station_id", "indicator_id", "value", "z", "median"]
    if month.empty or history.empty:
        return pd.DataFrame(columns=columns)
    keys = ["station_id", "indicator_id"]
    grouped = history.groupby(keys, sort=False)["value"]
    deviation = (history["value"] - grouped.transform("median")).abs()
    stats = pd.DataFrame(
        {
            "median": grouped.median(),
            "n": grouped.count(),
            "mad": deviation.groupby([history[key] for key in keys], sort=False).median(),
        }
    )
    joined = month.join(stats, on=keys, how="inner")
    joined = joined[joined["n"] >= MIN_HISTORY]
    deviation = joined["value"] - joined["median"]
    scale = MAD_SCALE * joined["mad"]
    flat = scale == 0
    z = deviation / scale.where(~flat)  # NaN where the history is flat
    joined = joined.assign(z=z)
    jumps = joined[(z.abs() >= JUMP_Z) | (flat & (deviation != 0))]
    key = jumps["z"].abs().fillna(np.inf)  # a change from a flat history first
    order = key.sort_values(ascending=False, kind="stable").index
    return jumps.loc[order, columns].reset_index(drop=True)
