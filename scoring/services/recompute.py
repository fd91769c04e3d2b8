"""Requesting a recompute: a run is a row written in the same transaction as the change
that needs it and sent to a worker only on commit; the beat sweep sends again what was
lost. The task is looked up by name (``scoring.tasks`` is loaded by ``ScoringConfig.ready``),
so this module never imports the tasks that import it."""

from __future__ import annotations

from datetime import date

from celery import current_app
from django.db import (
    transaction,
)
from django.utils import timezone

from indicators.jobqueue import left_behind, publish_group_soon, publish_soon
from scoring.models import (
    RunStatus,
    ScoreRun,
)
from scoring.monthstate import final_months
from stations.models import Company

#: The Celery task that executes a run (``scoring.tasks.recompute_period``).
RECOMPUTE_TASK = "scoring.tasks.recompute_period"
#: The Celery task that executes one company's runs (``scoring.tasks.recompute_company``).
COMPANY_TASK = "scoring.tasks.recompute_company"
#: A run is given up (failed) after this many attempts.
MAX_ATTEMPTS = 5


def request_recompute(
    company: Company,
    period: date,
    *,
    trigger: str,
    user=None,
    publish: bool = True,
    send: bool = True,
) -> ScoreRun:
    """Record that a month needs scoring; the task is sent when the transaction commits.

    A queued run that has not started yet reads the data when it runs, so a
    second request for the same month reuses it (when both publish, or both wait for
    review: see ``ScoreRun.publish``). The waiting run is locked until this transaction
    commits: a worker cannot claim it (and read the data) before the change that asked
    for it is visible. ``send`` off: the caller sends it (``request_regrades``).
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
        if send:
            transaction.on_commit(lambda: enqueue_run(run.pk))
        return run


def request_regrades(
    months: dict[Company, list[date]], *, trigger: str, user=None
) -> dict[int, list[ScoreRun]]:
    """Re-grade many companies' months after a change of what grades them (a unit's
    common method): one run per company-month, sent on commit as one Celery ``group``
    of one task per company (``COMPANY_TASK``), so the workers re-grade companies in
    parallel; each run takes its company-month lock as every run does.

    A month published as final (closed, or never held for review) gets a re-grade that
    waits for an administrator (``ScoreRun.publish`` off), as a weight or rule change
    from the pages does; a month not published yet, or provisional (under review), is
    graded and published at once. Returns each company's runs, by company id."""
    runs: dict[int, list[ScoreRun]] = {}
    with transaction.atomic():
        for company, periods in months.items():
            final = final_months(company.pk, periods)
            runs[company.pk] = [
                request_recompute(
                    company,
                    period,
                    trigger=trigger,
                    user=user,
                    publish=period not in final,
                    send=False,
                )
                for period in periods
            ]
        groups = {pk: [run.pk for run in found] for pk, found in runs.items() if found}
        transaction.on_commit(lambda: enqueue_company_runs(list(groups.values())))
    return runs


def enqueue_company_runs(groups: list[list[int]]) -> None:
    """Send each list of runs (one company's) as one task of a Celery ``group``, without
    making the caller wait on the broker (eager: executed here). Runs that never reach a
    worker are sent again one by one by the beat sweep (``enqueue_pending_runs``)."""
    run_ids = [run_id for run_ids in groups for run_id in run_ids]

    def sent() -> None:
        ScoreRun.objects.filter(pk__in=run_ids).update(enqueued_at=timezone.now())

    publish_group_soon(current_app.tasks[COMPANY_TASK], [[ids] for ids in groups], sent=sent)


def enqueue_run(run_id: int) -> None:
    """Hand the run to Celery without making the caller wait on the broker (in eager mode
    it executes right here); if publishing fails the run stays queued and the beat job
    sends it again (``indicators.jobqueue``)."""
    publish_soon(current_app.tasks[RECOMPUTE_TASK], run_id, sent=_mark_sent)


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
