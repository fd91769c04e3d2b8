"""The optimal partition of sorted values into classes (Fisher–Jenks natural breaks).

An exact dynamic programme (the Ckmeans.1d.dp approach): ``best[m][i]``, the least
within-class sum of squares of the first ``i`` values in ``m`` classes, is
``min over j of best[m-1][j] + cost(j, i)``, where ``cost(j, i)`` is the sum of squares
of values ``j … i-1`` about their mean (from prefix sums). The start ``j`` of the last
class never moves left as ``i`` grows, so each layer is solved by divide and conquer
over ``i`` (O(n log n) per layer), all segments of one recursion level at once in numpy.

Ties: among partitions with the same least sum of squares, the best class starts as low
as possible, then the next best, and so on (a value that could go either way joins the
better class).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_TOLERANCE = 64 * np.finfo(np.float64).eps


def optimal_class_starts(values: np.ndarray, weights: np.ndarray, classes: int) -> np.ndarray:
    """Index of the first value of each class, lowest class first, for distinct ascending
    ``values`` each counted ``weights`` times (1 ≤ ``classes`` ≤ ``len(values)``)."""
    count = len(values)
    centred = values - np.average(values, weights=weights)
    weight = np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])
    first = np.concatenate([[0.0], np.cumsum(weights * centred)])
    second = np.concatenate([[0.0], np.cumsum(weights * centred * centred)])
    tolerance = _TOLERANCE * (second[-1] + 1.0)

    def cost(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        sums = first[stop] - first[start]
        return second[stop] - second[start] - sums * sums / (weight[stop] - weight[start])

    ends = np.arange(count + 1)
    best = np.full(count + 1, np.inf)
    best[1:] = cost(np.zeros(count, dtype=np.int64), ends[1:])
    starts_by_layer = []
    for layer in range(2, classes + 1):
        best, start = _next_layer(best, cost, layer, count, tolerance)
        starts_by_layer.append(start)
    starts = [0] * classes
    stop = count
    for layer in range(classes, 1, -1):
        stop = int(starts_by_layer[layer - 2][stop])
        starts[layer - 1] = stop
    return np.asarray(starts, dtype=np.int64)


def _next_layer(
    previous: np.ndarray,
    cost: Callable[[np.ndarray, np.ndarray], np.ndarray],
    layer: int,
    count: int,
    tolerance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``best`` and the start of the last class for ``layer`` classes over every prefix."""
    best = np.full(count + 1, np.inf)
    chosen = np.zeros(count + 1, dtype=np.int64)
    # Segments still to solve: prefixes low…high whose last class starts in first…last.
    low_i, high_i = np.array([layer]), np.array([count])
    first_j, last_j = np.array([layer - 1]), np.array([count - 1])
    while len(low_i):
        middle = (low_i + high_i) // 2
        top = np.minimum(last_j, middle - 1)
        lengths = top - first_j + 1
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        segment = np.repeat(np.arange(len(middle)), lengths)
        candidate = first_j[segment] + np.arange(lengths.sum()) - offsets[segment]
        total = previous[candidate] + cost(candidate, middle[segment])
        least = np.minimum.reduceat(total, offsets)
        # The lowest start within the tolerance of the least total.
        near = total <= least[segment] + tolerance
        position = np.where(near, np.arange(len(total)), len(total))
        pick = candidate[np.minimum.reduceat(position, offsets)]
        best[middle] = least
        chosen[middle] = pick
        left = middle - 1 >= low_i
        right = middle + 1 <= high_i
        low_i, high_i, first_j, last_j = (
            np.concatenate([low_i[left], middle[right] + 1]),
            np.concatenate([middle[left] - 1, high_i[right]]),
            np.concatenate([first_j[left], pick[right]]),
            np.concatenate([pick[left], last_j[right]]),
        )
    return best, chosen
