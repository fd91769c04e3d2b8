"""Weight sensitivity of a published month, stored with every parameter."""

from __future__ import annotations

import time

import pandas as pd

from scoring.engine import ScoringMethod
from scoring.models import (
    ScoreRun,
    SensitivityRun,
    StationScore,
)
from scoring.selectors import (
    weight_series,
)


def run_sensitivity(
    run: ScoreRun,
    *,
    spread: float = 0.2,
    draws: int = 1000,
    seed: int = 0,
    certain_share: float = 0.8,
    user=None,
) -> SensitivityRun:
    """Perturb the weights of a published month (``engine.sensitivity``) and store each
    graded station's share of draws per grade and rank interval, with every parameter."""
    from indicators.models import IndicatorValue
    from scoring.engine.grading import cap_positions
    from scoring.engine.sensitivity import colour_is_uncertain, weight_sensitivity

    rows = list(
        StationScore.objects.filter(run=run).values_list(
            "station_id", "rank", "grade", "normalised", "flags"
        )
    )
    assert run.weight_set is not None  # a published run was scored under a weight version
    weights, _higher = weight_series(run.weight_set)
    ids = [row[0] for row in rows]
    normalised = pd.DataFrame.from_records(
        [row[3] for row in rows], index=ids, columns=list(weights.index)
    ).astype(float)
    graded = pd.Series([row[1] is not None for row in rows], index=ids)
    groups = pd.Series([(row[4] or {}).get("peer_group", "") for row in rows], index=ids)
    method = ScoringMethod.from_record(run.method_params or {})
    cap_limit = None
    if method.caps:
        raw = pd.DataFrame.from_records(
            list(
                IndicatorValue.objects.filter(
                    station_id__in=ids,
                    period=run.period,
                    indicator__code__in=[cap.indicator for cap in method.caps],
                ).values_list("station_id", "indicator__code", "value")
            ),
            columns=["station", "code", "value"],
        )
        values = raw.pivot(index="station", columns="code", values="value").reindex(ids)
        cap_limit = pd.Series(cap_positions(values, method.caps)[0], index=ids)
    started = time.perf_counter()
    found = weight_sensitivity(
        normalised,
        weights,
        graded,
        method,
        groups=groups,
        cap_limit=cap_limit,
        spread=spread,
        draws=draws,
        seed=seed,
    )
    compute_ms = int((time.perf_counter() - started) * 1000)
    published = {row[0]: row[2] for row in rows}
    results, uncertain = {}, 0
    for station, shares in found.grade_shares.iterrows():
        results[str(station)] = {
            "shares": {grade: round(float(share), 4) for grade, share in shares.items() if share},
            "rank": [int(found.rank_low[station]), int(found.rank_high[station])],
        }
        uncertain += colour_is_uncertain(shares, published[station], certain_share)
    return SensitivityRun.objects.create(
        run=run,
        requested_by=user,
        params=found.params,
        certain_share=certain_share,
        uncertain_count=uncertain,
        compute_ms=compute_ms,
        results=results,
    )
