"""Executing a run: compute its month and make it current.

Safe under at-least-once delivery: executing a run twice, or two runs of one month at once,
leaves the same rows."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db import (
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Q
from django.utils import timezone

from indicators.jobqueue import claim, heartbeat, owned, release
from indicators.locks import lock_company_months
from indicators.periods import format_period
from scoring import engine
from scoring.models import (
    RunStatus,
    RunTrigger,
    ScoreRun,
    StationScore,
)
from scoring.selectors import (
    NoWeightsError,
    load_period_inputs,
)
from scoring.services.gradecounts import record_grade_counts
from scoring.services.monthclose import open_held_month, publish_new_data
from scoring.services.publishing import regrade_of
from scoring.services.recompute import request_recompute
from scoring.services.sensitivity import run_sensitivity
from scoring.signals import announce_published

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    status: str
    unchanged: bool = False
    graded: int | None = None
    stations: int | None = None


def _lock_company_month(company_id: int, period: date) -> None:
    """Serialise recomputes of one company-month (PostgreSQL advisory lock;
    SQLite already serialises writers)."""
    lock_company_months(company_id, [period])


#: The state in which a worker holds a run.
WORKING = (RunStatus.RUNNING,)


def execute_run(run_id: int) -> RunOutcome:
    """Compute the run's month and make it current. Safe to call any number of times: a
    finished run, or one a live worker holds, is left as it is (``jobqueue.claim``), and
    every later write is fenced by the attempt that claimed it."""
    attempt = claim(
        ScoreRun, run_id, queued=RunStatus.QUEUED, working=WORKING, status=RunStatus.RUNNING
    )
    if attempt is None:
        run = ScoreRun.objects.filter(pk=run_id).first()
        if run is None:
            return RunOutcome(run_id, "missing")
        return RunOutcome(run_id, run.status, unchanged=run.unchanged)
    mine = owned(run_id, attempt, WORKING)
    started = time.perf_counter()
    try:
        with (
            heartbeat(ScoreRun, run_id, working=WORKING, attempt=attempt),
            transaction.atomic(),
        ):
            company_id, period = ScoreRun.objects.values_list("company_id", "period").get(pk=run_id)
            # Runs of one month wait here for each other; the run row itself stays
            # unlocked, so the heartbeat can renew it meanwhile.
            _lock_company_month(company_id, period)
            run = ScoreRun.objects.filter(mine).first()
            if run is None:  # no longer this worker's: finished or taken over meanwhile
                run = ScoreRun.objects.get(pk=run_id)
                return RunOutcome(run_id, run.status, unchanged=run.unchanged)
            outcome, scores = _compute_and_store(run, started)
    except NoWeightsError as exc:
        month = format_period(exc.args[0])
        return _fail(run_id, mine, f"No weight version is effective for {month}")
    except (OperationalError, InterfaceError):
        # Transient database trouble: give the run back so the task's retry claims it.
        release(ScoreRun, run_id, attempt, queued=RunStatus.QUEUED, working=WORKING)
        raise
    except Exception as exc:  # anything else will not get better by retrying
        logger.exception("Score run %s failed", run_id)
        return _fail(run_id, mine, f"{type(exc).__name__}: {exc}")
    if outcome.status == RunStatus.DONE and scores is not None:
        store_sensitivity(run, scores)
    return outcome


def store_sensitivity(run: ScoreRun, scores: engine.PeriodScores | None = None) -> None:
    """The map's "?" marks for a run that wrote new scores: its weight sensitivity with
    the default parameters, once its scores are committed, whether it publishes or waits
    for review. ``scores``: the month the run just stored, so its rows are not read
    back. A failure here is logged and leaves the run as it is: the marks are an aid to
    reading the colours, never a condition of having them."""
    try:
        with transaction.atomic():  # a savepoint when a caller's transaction is open
            run_sensitivity(run, scores=scores)
    except Exception:
        logger.exception("Weight sensitivity of score run %s failed", run.pk)


def _fail(run_id: int, mine: Q, message: str) -> RunOutcome:
    # Only a run this worker holds: a twin delivery must not fail a finished run.
    failed = ScoreRun.objects.filter(mine).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=message[:2000]
    )
    if failed:
        return RunOutcome(run_id, RunStatus.FAILED)
    status = ScoreRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return RunOutcome(run_id, status or "missing")


def _compute_and_store(
    run: ScoreRun, started: float
) -> tuple[RunOutcome, engine.PeriodScores | None]:
    """The run's outcome, and the month it computed and stored (None when its inputs
    were unchanged: it stored nothing)."""
    current = (
        ScoreRun.objects.filter(company_id=run.company_id, period=run.period, is_current=True)
        .exclude(pk=run.pk)
        .select_related("weight_set", "method_version")
        .first()
    )
    if run.publish and current is not None and not publish_new_data(run.company_id, run.period):
        # Asked while the month was open, run after an administrator closed it (the close
        # waits for this lock): a closed month's grades change only by a re-grade that an
        # administrator publishes.
        run.publish = False
    inputs = load_period_inputs(run.company_id, run.period)
    keep_versions = _keeps_published_versions(run, current, inputs)
    if keep_versions:
        assert current is not None  # kept only from a published run
        # New data for a month published under older versions than those now in force:
        # publish it under the versions it was published with (the administrator has not
        # chosen to re-grade it), and leave a re-grade under the new ones to review.
        inputs = load_period_inputs(
            run.company_id,
            run.period,
            weight_set=current.weight_set,
            method_version=current.method_version,
        )
    method = inputs.method
    fingerprint = inputs.fingerprint()
    run.weight_set = inputs.weight_set
    run.method_version = inputs.method_version
    run.method = method.label
    run.method_params = {
        **method.as_record(),
        "directions": {
            code: "higher" if higher else "lower"
            for code, higher in inputs.higher_is_better.items()
        },
    }
    run.input_fingerprint = fingerprint
    run.station_count = len(inputs.values.index)
    if (
        current is not None
        and current.input_fingerprint == fingerprint
        and current.summary.keys() >= SUMMARY_KEYS
    ):
        run.unchanged = True
        run.graded_count = current.graded_count
        run.summary = current.summary
        return _finish(run, started, compute_ms=0), None

    compute_started = time.perf_counter()
    result = inputs.score()
    compute_ms = int((time.perf_counter() - compute_started) * 1000)

    _write_scores(run, result)
    record_grade_counts(run.pk)
    if keep_versions:  # the waiting re-grade no longer has this month's data
        request_recompute(
            run.company, run.period, trigger=RunTrigger.WEIGHTS, user=None, publish=False
        )
    if run.publish or current is None:
        ScoreRun.objects.filter(
            company_id=run.company_id, period=run.period, is_current=True
        ).update(is_current=False)
        run.is_current = True
        run.published_at = timezone.now()
        run.regraded_from = regrade_of(run, current)
        if current is None:  # the month's first grades: provisional if the company holds them
            open_held_month(run.company_id, run.period)
        announce_published(company_id=run.company_id, period=run.period, run_id=run.pk)
    run.graded_count = int(result.stations["rank"].notna().sum())
    run.summary = result.summary
    return _finish(run, started, compute_ms=compute_ms), result


def _keeps_published_versions(run: ScoreRun, current: ScoreRun | None, inputs) -> bool:
    """Whether a run that publishes must keep the month's published weight and method
    versions: true for every run but one asked by a version change (a command-line
    ``set_weights``/``set_method``, a unit's common method), when newer versions than
    the published ones govern."""
    if not run.publish or current is None or current.weight_set_id is None:
        return False
    if run.trigger in (RunTrigger.WEIGHTS, RunTrigger.METHOD, RunTrigger.UNIT):
        return False
    governing = (inputs.weight_set.pk, getattr(inputs.method_version, "pk", None))
    return governing != (current.weight_set_id, current.method_version_id)


def _finish(run: ScoreRun, started: float, *, compute_ms: int) -> RunOutcome:
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.compute_ms = compute_ms
    run.total_ms = int((time.perf_counter() - started) * 1000)
    run.error = ""
    # Not the fields other connections write meanwhile: the sender marks the run sent
    # (it may do so after this worker read the row) and the heartbeat renews its lease.
    run.save(
        update_fields=[
            f.name
            for f in run._meta.concrete_fields
            if not f.primary_key and f.name not in _WRITTEN_ELSEWHERE
        ]
    )
    return RunOutcome(
        run.pk,
        run.status,
        unchanged=run.unchanged,
        graded=run.graded_count,
        stations=run.station_count,
    )


#: A run's fields written by the job queue from other connections while it runs.
_WRITTEN_ELSEWHERE = frozenset({"enqueued_at", "heartbeat_at"})

#: What a run's summary holds; a run stored without all of them is computed afresh.
SUMMARY_KEYS = frozenset(
    {"median_score", "indicator_medians", "indicator_ranges", "score_thresholds",
     "indicator_thresholds"}
)  # fmt: skip

#: Columns written for each station score, in COPY order.
_SCORE_COLUMNS = (
    "run_id", "station_id", "period", "score", "rank", "grade",
    "coverage", "ungraded_reason", "normalised", "flags",
)  # fmt: skip


def _write_scores(run: ScoreRun, result: engine.PeriodScores) -> None:
    """Store the month's rows: COPY on PostgreSQL (30,000 stations in about a second),
    ``bulk_create`` elsewhere. Both write the same values."""
    rows = _score_values(run, result)
    if connection.vendor != "postgresql":
        StationScore.objects.bulk_create(
            (
                StationScore(
                    **dict(
                        zip(
                            _SCORE_COLUMNS,
                            (*row[:-2], json.loads(row[-2]), json.loads(row[-1])),
                            strict=True,
                        )
                    )
                )
                for row in rows
            ),
            batch_size=2000,
        )
        return
    quote = connection.ops.quote_name
    table = quote(StationScore._meta.db_table)
    statement = f"COPY {table} ({', '.join(map(quote, _SCORE_COLUMNS))}) FROM STDIN"
    # Django's wrapper turns psycopg's errors into Django's (a lost connection stays an
    # OperationalError, retried like any other) and marks the connection as broken.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)


_NULL_MEMBER = re.compile(r'"[^"]+":null,?')
_PLAIN_CODE = re.compile(r"^[-\w]+$")


def _normalised_json(normalised: pd.DataFrame) -> list[str]:
    """Each station's normalised values as a JSON object without its missing indicators,
    written for all stations at once by pandas' encoder (far faster than one
    ``json.dumps`` per row)."""
    if len(normalised.columns) == 0:
        return [""] * len(normalised)
    if len(normalised) == 0:
        return []
    if not all(_PLAIN_CODE.match(code) for code in normalised.columns):
        raise ValueError(f"indicator codes must be slugs: {list(normalised.columns)}")
    text = normalised.to_json(orient="records", double_precision=10)
    text = _NULL_MEMBER.sub("", text).replace(",}", "}")
    return text[2:-2].split("},{")


def _score_values(run: ScoreRun, result: engine.PeriodScores):
    """Each station's row as a tuple in ``_SCORE_COLUMNS`` order, normalised as JSON text.
    Each column is converted to Python values at once (``tolist``), not value by value."""
    normalised = result.normalised.round(engine.NORMALISED_DECIMALS)
    table = result.stations
    scores = table["score"].to_numpy(dtype=float).tolist()
    ranks = table["rank"].to_numpy(dtype=float, na_value=np.nan).tolist()
    coverage = table["coverage"].to_numpy(dtype=float).tolist()
    for station_id, score, rank, grade, covered, reason, cell, flags in zip(
        table.index.tolist(),
        scores,
        ranks,
        table["grade"].tolist(),
        coverage,
        table["ungraded_reason"].tolist(),
        _normalised_json(normalised),
        table["flags"].tolist(),
        strict=True,
    ):
        yield (
            run.pk,
            int(station_id),
            run.period,
            None if score != score else score,  # NaN: no score
            None if rank != rank else int(rank),
            grade,
            round(covered, 6),
            "" if reason is None or reason != reason else str(reason),
            "{" + cell + "}",
            json.dumps(flags, ensure_ascii=False) if flags else "{}",
        )
