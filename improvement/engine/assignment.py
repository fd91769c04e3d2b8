"""The optimal assignment of weak stations to strong ones, and the distances that break
its ties (pure numpy/scipy, no Django).

Tie-break: distance. Of the pairings with the highest total benefit (at ``BENEFIT_DECIMALS``), the
proposal is one with the shortest total distance (haversine, km). A pair costs
``−benefit + ε · km``, with ε so small that all the distances of a pairing add up to less
than half a benefit step: distance decides only between equal benefits. A station without
coordinates counts as farther than any other.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from improvement.engine.benefit import BENEFIT_STEP

EARTH_RADIUS_KM = 6371.0


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (broadcasting; NaN where a coordinate is missing)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix(
    coordinates: pd.DataFrame | None, weak: Sequence[Hashable], strong: Sequence[Hashable]
) -> np.ndarray:
    """km between every weak and strong station (NaN without coordinates)."""
    if coordinates is None:
        return np.full((len(weak), len(strong)), np.nan)
    columns = ["latitude", "longitude"]
    here = coordinates.reindex(index=list(weak), columns=columns).to_numpy(dtype=float)
    there = coordinates.reindex(index=list(strong), columns=columns).to_numpy(dtype=float)
    return haversine_km(here[:, None, 0], here[:, None, 1], there[None, :, 0], there[None, :, 1])


def optimal_assignment(
    benefit: np.ndarray, distance: np.ndarray, capacity: int | np.ndarray = 1
) -> list[tuple[int, int]]:
    """(row, column) pairs: every row (weak) at most once, every column (strong) at most
    ``capacity`` times (one number, or one per column), as many pairs as fit; the highest
    total benefit, then the shortest total distance. ``benefit`` must be rounded to
    ``BENEFIT_DECIMALS``; a NaN distance counts as 1 km longer than the longest known one."""
    rows, columns = benefit.shape
    slots = np.broadcast_to(np.asarray(capacity, dtype=int), (columns,))
    if (slots < 1).any():
        raise ValueError("capacity must be at least 1")
    if rows == 0 or columns == 0:
        return []
    known = distance[~np.isnan(distance)]
    unknown = (float(known.max()) if known.size else 0.0) + 1.0  # farther than any known
    distance = np.where(np.isnan(distance), unknown, distance)
    pairs = min(rows, int(slots.sum()))
    # Every pairing's distances add up to at most pairs · ε · unknown < half a step.
    epsilon = BENEFIT_STEP / (2 * pairs * (unknown + 1.0))
    cost = np.repeat(epsilon * distance - benefit, slots, axis=1)
    owner = np.repeat(np.arange(columns), slots)
    found_rows, found_columns = linear_sum_assignment(cost)
    return [
        (int(row), int(owner[column]))
        for row, column in zip(found_rows, found_columns, strict=True)
    ]
