"""Weight sensitivity of a published month, stored with every parameter."""

from __future__ import annotations

import time

import pandas as pd

from scoring.engine import NORMALISED_DECIMALS, PeriodScores, ScoringMethod
from scoring.engine.sensitivity import Sensitivity, colour_is_uncertain, weight_sensitivity
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
    scores: PeriodScores | None = None,
) -> SensitivityRun:
    """Perturb the weights of a published month (``engine.sensitivity``) and store each
    graded station's share of draws per grade and rank interval, with every parameter.

    ``scores``: the month as the run just computed it (what it stored), so the run need
    not read its 30,000 rows back; without it the stored rows are read."""
    from indicators.models import IndicatorValue
    from scoring.engine.grading import cap_positions

    assert run.weight_set is not None  # a published run was scored under a weight version
    weights, _higher = weight_series(run.weight_set)
    if scores is None:
        month = _stored_month(run, list(weights.index))
    else:
        month = _computed_month(scores, list(weights.index))
    ids, normalised, graded, groups, published = month
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
    results, uncertain = _results(found, published, certain_share)
    return SensitivityRun.objects.create(
        run=run,
        requested_by=user,
        params=found.params,
        certain_share=certain_share,
        uncertain_count=uncertain,
        compute_ms=compute_ms,
        results=results,
    )


#: What sensitivity needs of a month: station ids, normalised values (station × code),
#: whether each is graded, its peer group, and its published grade (by station id).
Month = tuple[list[int], pd.DataFrame, pd.Series, pd.Series, dict[int, str]]


def _stored_month(run: ScoreRun, codes: list[str]) -> Month:
    rows = list(
        StationScore.objects.filter(run=run).values_list(
            "station_id", "rank", "grade", "normalised", "flags"
        )
    )
    ids = [row[0] for row in rows]
    normalised = pd.DataFrame.from_records(
        [row[3] for row in rows], index=ids, columns=codes
    ).astype(float)
    graded = pd.Series([row[1] is not None for row in rows], index=ids)
    groups = pd.Series([(row[4] or {}).get("peer_group", "") for row in rows], index=ids)
    return ids, normalised, graded, groups, {row[0]: row[2] for row in rows}


def _computed_month(scores: PeriodScores, codes: list[str]) -> Month:
    """The same month from the run's result: normalised values rounded as they are
    stored (``NORMALISED_DECIMALS``), so the draws see exactly the stored values."""
    table = scores.stations
    ids = [int(station) for station in table.index]
    normalised = scores.normalised.round(NORMALISED_DECIMALS).reindex(columns=codes).astype(float)
    normalised.index = pd.Index(ids)
    graded = pd.Series(table["rank"].notna().to_numpy(), index=ids)
    groups = pd.Series([(flags or {}).get("peer_group", "") for flags in table["flags"]], index=ids)
    return ids, normalised, graded, groups, dict(zip(ids, table["grade"], strict=True))


def _results(
    found: Sensitivity, published: dict[int, str], certain_share: float
) -> tuple[dict[str, dict], int]:
    """What is stored per graded station (its shares of draws per grade, rounded, and its
    rank interval) and how many stations' colours are uncertain; plain lists, not a
    pandas row per station (30,000 rows: 4 s → 0.1 s)."""
    grades = [str(grade) for grade in found.grade_shares.columns]
    results, uncertain = {}, 0
    for station, row, low, high in zip(
        found.grade_shares.index.tolist(),
        found.grade_shares.to_numpy(dtype=float).tolist(),
        found.rank_low.to_numpy().tolist(),
        found.rank_high.to_numpy().tolist(),
        strict=True,
    ):
        shares = dict(zip(grades, row, strict=True))
        results[str(station)] = {
            "shares": {grade: round(share, 4) for grade, share in shares.items() if share},
            "rank": [int(low), int(high)],
        }
        uncertain += colour_is_uncertain(shares, published[station], certain_share)
    return results, uncertain
