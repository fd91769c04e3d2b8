"""Writes for scoring: weight versions, recompute requests and the recompute itself.

The recompute is safe under at-least-once delivery: a run is a row written in
the same transaction as the change that needs it and enqueued only on commit;
executing a run twice, or two runs of one month at once, leaves the same rows.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from indicators.jobqueue import heartbeat, left_behind, publish_soon
from indicators.locks import lock_company_months
from indicators.models import Indicator
from indicators.periods import format_period
from scoring import engine
from scoring.engine import ScoringMethod
from scoring.models import (
    MethodVersion,
    RunStatus,
    RunTrigger,
    ScoreRun,
    SensitivityRun,
    StationScore,
    UsedPreview,
    Weight,
    WeightSet,
)
from scoring.selectors import (
    NoWeightsError,
    load_period_inputs,
    periods_with_data,
    weight_series,
)
from scoring.signals import announce_published
from stations.models import Company

logger = logging.getLogger(__name__)

#: A run is given up (failed) after this many attempts.
MAX_ATTEMPTS = 5
INITIAL_WEIGHTS_FROM = date(2000, 1, 1)
#: How long a version form's preview stays valid for saving.
PREVIEW_MAX_AGE = timedelta(hours=1)


# --- Weights -------------------------------------------------------------------


def create_initial_weights(company: Company) -> WeightSet:
    """Version 1 for a new company: every active indicator weighted equally, summing to 100."""
    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    share = (Decimal(100) / len(indicators)).quantize(Decimal("0.01"))
    weights = {indicator.code: share for indicator in indicators}
    remainder = Decimal(100) - share * len(indicators)
    weights[indicators[0].code] += remainder
    return create_weight_set(
        company=company,
        weights=weights,
        effective_from=INITIAL_WEIGHTS_FROM,
        reason="Initial equal weights",
        user=None,
        recompute=False,
    )


@transaction.atomic
def create_weight_set(
    *,
    company: Company,
    weights: dict[str, Decimal],
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
    publish: bool = True,
) -> WeightSet:
    """Save a new weight version and request the recompute of every month it now governs
    (``publish`` off: months already published get a proposal to review, see
    ``ScoreRun.publish``).

    ``weights`` must already be validated (known codes, sum 100).
    """
    weight_set = WeightSet.objects.create(
        company=company,
        version=_next_version(WeightSet, company),
        effective_from=effective_from,
        reason=reason,
        created_by=user,
    )
    indicators = Indicator.objects.in_bulk(list(weights), field_name="code")
    Weight.objects.bulk_create(
        Weight(weight_set=weight_set, indicator=indicators[code], weight=value)
        for code, value in weights.items()
    )
    if recompute:
        _recompute_governed(weight_set, RunTrigger.WEIGHTS, user, publish=publish)
    return weight_set


def claim_preview(token: str) -> bool:
    """Record that the preview ``token`` is being saved; False when it already was (a
    double click). Call it in the transaction that saves the version: if that rolls back,
    the preview can be saved again. Two clicks at once serialise on the unique token."""
    UsedPreview.objects.filter(used_at__lt=timezone.now() - PREVIEW_MAX_AGE).delete()
    try:
        with transaction.atomic():
            UsedPreview.objects.create(token=token)
    except IntegrityError:
        return False
    return True


def _next_version(model: type[WeightSet | MethodVersion], company: Company) -> int:
    """The company's next version number of a kind. Locks the company row (inside the
    caller's transaction): two versions saved at once must not both take N + 1."""
    Company.objects.select_for_update().filter(pk=company.pk).first()
    latest = model.objects.filter(company=company).order_by("-version")
    return (latest.values_list("version", flat=True).first() or 0) + 1


def _recompute_governed(
    version: WeightSet | MethodVersion, trigger: str, user, *, publish: bool
) -> list[ScoreRun]:
    """Request every month the version governs. With ``publish`` off, a month that is
    already published gets a proposal instead (see ``ScoreRun.publish``)."""
    return [
        request_recompute(version.company, period, trigger=trigger, user=user, publish=publish)
        for period in months_governed_by(version)
    ]


def months_governed_by(version: WeightSet | MethodVersion) -> list[date]:
    """Months with data from a version's effective month up to the next version's (of
    the same kind: weights or method)."""
    later = next_version_start(
        type(version), version.company_id, version.effective_from, version.version
    )
    months = periods_with_data(version.company_id, since=version.effective_from)
    return [month for month in months if later is None or month < later]


def next_version_start(
    model: type[WeightSet | MethodVersion],
    company_id: int,
    effective_from: date,
    version: int | None = None,
) -> date | None:
    """Where the version after one effective from a month takes over: a later month, or
    the same month for a newer version of it (``version``: the one asked about; None for
    a version not saved yet, which would be the newest)."""
    later = Q(effective_from__gt=effective_from)
    if version is not None:
        later |= Q(effective_from=effective_from, version__gt=version)
    return (
        model.objects.filter(later, company_id=company_id)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


# --- Methods -------------------------------------------------------------------


@transaction.atomic
def create_method_version(
    *,
    company: Company,
    method: ScoringMethod,
    effective_from: date,
    reason: str,
    user=None,
    recompute: bool = True,
    publish: bool = True,
) -> MethodVersion:
    """Save a new method version and request the recompute of every month it governs.
    Earlier months keep the runs (and methods) they were published with; ``publish``
    as for ``create_weight_set``."""
    method_version = MethodVersion.objects.create(
        company=company,
        version=_next_version(MethodVersion, company),
        effective_from=effective_from,
        params=method.as_record(),
        reason=reason,
        created_by=user,
    )
    if recompute:
        _recompute_governed(method_version, RunTrigger.METHOD, user, publish=publish)
    return method_version


# --- Requesting a recompute ------------------------------------------------------


def request_recompute(
    company: Company, period: date, *, trigger: str, user=None, publish: bool = True
) -> ScoreRun:
    """Record that a month needs scoring; the task is sent when the transaction commits.

    A queued run that has not started yet reads the data when it runs, so a
    second request for the same month reuses it (when both publish, or both wait for
    review: see ``ScoreRun.publish``). The waiting run is locked until this transaction
    commits: a worker cannot claim it (and read the data) before the change that asked
    for it is visible.
    """
    with transaction.atomic():
        waiting = (
            ScoreRun.objects.select_for_update()
            .filter(
                company=company,
                period=period,
                status=RunStatus.QUEUED,
                started_at=None,
                publish=publish,
            )
            .first()
        )
        if waiting is not None:
            return waiting
        run = ScoreRun.objects.create(
            company=company, period=period, trigger=trigger, requested_by=user, publish=publish
        )
        transaction.on_commit(lambda: enqueue_run(run.pk))
        return run


def enqueue_run(run_id: int) -> None:
    """Hand the run to Celery without making the caller wait on the broker (in eager mode
    it executes right here); if publishing fails the run stays queued and the beat job
    sends it again (``indicators.jobqueue``)."""
    from scoring.tasks import recompute_period

    publish_soon(recompute_period, run_id, sent=_mark_sent)


def _mark_sent(run_id: int) -> None:
    ScoreRun.objects.filter(pk=run_id).update(enqueued_at=timezone.now())


def enqueue_pending_runs(now=None) -> int:
    """Send again runs left behind: never enqueued (the broker was down), lost by the
    broker, or whose worker died (no heartbeat for a lease). A lost run that has had
    its attempts is marked failed instead."""
    now = now or timezone.now()
    behind = left_behind(queued=RunStatus.QUEUED, working=[RunStatus.RUNNING], now=now)
    ScoreRun.objects.filter(behind.silent, attempts__gte=MAX_ATTEMPTS).update(
        status=RunStatus.FAILED,
        finished_at=now,
        error=f"Gave up after {MAX_ATTEMPTS} attempts",
    )
    run_ids = list(
        ScoreRun.objects.filter(behind.resend).order_by("pk").values_list("pk", flat=True)
    )
    for run_id in run_ids:
        enqueue_run(run_id)
    return len(run_ids)


# --- Executing a run -------------------------------------------------------------


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


def execute_run(run_id: int) -> RunOutcome:
    """Compute the run's month and make it current. Safe to call any number of times."""
    now = timezone.now()
    claimed = ScoreRun.objects.filter(
        pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).update(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    if not claimed:
        run = ScoreRun.objects.filter(pk=run_id).first()
        if run is None:
            return RunOutcome(run_id, "missing")
        return RunOutcome(run_id, run.status, unchanged=run.unchanged)
    started = time.perf_counter()
    try:
        with heartbeat(ScoreRun, run_id, working=[RunStatus.RUNNING]), transaction.atomic():
            company_id, period = ScoreRun.objects.values_list("company_id", "period").get(pk=run_id)
            # Twin deliveries of a run (or two runs of a month) wait here for each other;
            # the run row itself stays unlocked, so the heartbeat can renew it meanwhile.
            _lock_company_month(company_id, period)
            run = ScoreRun.objects.get(pk=run_id)
            if run.status != RunStatus.RUNNING:  # a twin delivery finished it meanwhile
                return RunOutcome(run_id, run.status, unchanged=run.unchanged)
            return _compute_and_store(run, started)
    except NoWeightsError as exc:
        period = format_period(exc.args[0])
        return _fail(run_id, f"No weight version is effective for {period}")
    except (OperationalError, InterfaceError):
        raise  # transient database trouble: the task retries and re-claims the run
    except Exception as exc:  # anything else will not get better by retrying
        logger.exception("Score run %s failed", run_id)
        return _fail(run_id, f"{type(exc).__name__}: {exc}")


def _fail(run_id: int, message: str) -> RunOutcome:
    # Only a run this worker holds: a twin delivery must not fail a finished run.
    failed = ScoreRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=message[:2000]
    )
    if failed:
        return RunOutcome(run_id, RunStatus.FAILED)
    status = ScoreRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return RunOutcome(run_id, status or "missing")


def _compute_and_store(run: ScoreRun, started: float) -> RunOutcome:
    current = (
        ScoreRun.objects.filter(company_id=run.company_id, period=run.period, is_current=True)
        .exclude(pk=run.pk)
        .select_related("weight_set", "method_version")
        .first()
    )
    inputs = load_period_inputs(run.company_id, run.period)
    keep_versions = _keeps_published_versions(run, current, inputs)
    if keep_versions:
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
        return _finish(run, started, compute_ms=0)

    compute_started = time.perf_counter()
    result = inputs.score()
    compute_ms = int((time.perf_counter() - compute_started) * 1000)

    _write_scores(run, result)
    if keep_versions:  # the waiting re-grade no longer has this month's data
        request_recompute(
            run.company, run.period, trigger=RunTrigger.WEIGHTS, user=None, publish=False
        )
    if run.publish or current is None:
        ScoreRun.objects.filter(
            company_id=run.company_id, period=run.period, is_current=True
        ).update(is_current=False)
        run.is_current = True
        announce_published(company_id=run.company_id, period=run.period, run_id=run.pk)
    run.graded_count = int(result.stations["rank"].notna().sum())
    run.summary = result.summary
    return _finish(run, started, compute_ms=compute_ms)


def _keeps_published_versions(run: ScoreRun, current: ScoreRun | None, inputs) -> bool:
    """Whether a run that publishes must keep the month's published weight and method
    versions: true for every run but one asked by a version change (a command-line
    ``set_weights``/``set_method``), when newer versions than the published ones govern."""
    if not run.publish or current is None or current.weight_set_id is None:
        return False
    if run.trigger in (RunTrigger.WEIGHTS, RunTrigger.METHOD):
        return False
    governing = (inputs.weight_set.pk, getattr(inputs.method_version, "pk", None))
    return governing != (current.weight_set_id, current.method_version_id)


def _finish(run: ScoreRun, started: float, *, compute_ms: int) -> RunOutcome:
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.compute_ms = compute_ms
    run.total_ms = int((time.perf_counter() - started) * 1000)
    run.error = ""
    run.save()
    return RunOutcome(
        run.pk,
        run.status,
        unchanged=run.unchanged,
        graded=run.graded_count,
        stations=run.station_count,
    )


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
    """Each station's row as a tuple in ``_SCORE_COLUMNS`` order, normalised as JSON text."""
    normalised = result.normalised.round(engine.NORMALISED_DECIMALS)
    table = result.stations
    ranks = table["rank"].to_numpy(dtype=float, na_value=np.nan)
    for station_id, score, rank, grade, coverage, reason, cell, flags in zip(
        table.index,
        table["score"].to_numpy(dtype=float),
        ranks,
        table["grade"],
        table["coverage"].to_numpy(dtype=float),
        table["ungraded_reason"],
        _normalised_json(normalised),
        table["flags"],
        strict=True,
    ):
        yield (
            run.pk,
            int(station_id),
            run.period,
            None if np.isnan(score) else float(score),
            None if np.isnan(rank) else int(rank),
            grade,
            round(float(coverage), 6),
            "" if reason is None or reason != reason else str(reason),
            "{" + cell + "}",
            json.dumps(flags, ensure_ascii=False) if flags else "{}",
        )


# --- Weight sensitivity ------------------------------------------------------------


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


# --- Publishing a re-grade ------------------------------------------------------------


class PublishRefused(Exception):
    """A proposal that cannot be published (the message says why, translated)."""


@transaction.atomic
def publish_run(run_id: int, user=None) -> ScoreRun:
    """Make a waiting re-grade (``ScoreRun.publish`` off) the month's published grades.
    Refused when it is not finished, already published, or stale: a newer run of the
    month exists (e.g. new data was imported after it was computed)."""
    company_id, period = ScoreRun.objects.values_list("company_id", "period").get(pk=run_id)
    _lock_company_month(company_id, period)
    run = ScoreRun.objects.select_for_update().get(pk=run_id)
    if run.is_current:
        raise PublishRefused(_("These grades are already published."))
    if run.status != RunStatus.DONE:
        raise PublishRefused(_("This re-grade has not finished yet."))
    if run.unchanged:
        raise PublishRefused(_("This re-grade changes nothing: the published grades stay."))
    newer = ScoreRun.objects.filter(company_id=company_id, period=period, pk__gt=run.pk)
    if newer.exclude(status=RunStatus.FAILED).exclude(unchanged=True).exists():
        raise PublishRefused(
            _("The month was scored again after this re-grade (new data or another change).")
        )
    published = ScoreRun.objects.filter(
        company_id=company_id, period=period, is_current=True
    ).first()
    ScoreRun.objects.filter(pk=getattr(published, "pk", None)).update(is_current=False)
    run.is_current = True
    run.publish = True
    run.save(update_fields=["is_current", "publish"])
    announce_published(company_id=company_id, period=period, run_id=run.pk)
    record(
        Action.GRADES_PUBLISHED,
        run,
        before=_run_record(published),
        after=_run_record(run),
        actor=user,
    )
    return run


def _run_record(run: ScoreRun | None) -> dict | None:
    """What the audit trail keeps of a month's published run."""
    if run is None:
        return None
    return {
        "run": run.pk,
        "month": format_period(run.period),
        "weights_version": run.weight_set.version if run.weight_set_id else None,
        "method_version": run.method_version.version if run.method_version_id else None,
        "method": run.method,
    }
