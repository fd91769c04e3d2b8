"""Publishing a re-grade that waited for review."""

from __future__ import annotations

from django.db import (
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from indicators.locks import lock_company_months
from indicators.periods import format_period
from scoring.models import (
    RunStatus,
    ScoreRun,
)
from scoring.signals import announce_published


class PublishRefused(Exception):
    """A proposal that cannot be published (the message says why, translated)."""


@transaction.atomic
def publish_run(run_id: int, user=None) -> ScoreRun:
    """Make a waiting re-grade (``ScoreRun.publish`` off) the month's published grades.
    Refused when it is not finished, already published, or stale: a newer run of the
    month exists (e.g. new data was imported after it was computed)."""
    company_id, period = ScoreRun.objects.values_list("company_id", "period").get(pk=run_id)
    lock_company_months(company_id, [period])
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
    if published is not None:
        ScoreRun.objects.filter(pk=published.pk).update(is_current=False)
    run.is_current = True
    run.publish = True
    run.published_at = timezone.now()
    run.regraded_from = regrade_of(run, published)
    run.save(update_fields=["is_current", "publish", "published_at", "regraded_from"])
    announce_published(company_id=company_id, period=period, run_id=run.pk)
    record(
        Action.GRADES_PUBLISHED,
        run,
        before=_run_record(published),
        after=_run_record(run),
        actor=user,
    )
    return run


def regrade_of(run: ScoreRun, published: ScoreRun | None) -> ScoreRun | None:
    """The published run that ``run``, about to replace it, re-grades: one graded under
    other weight or method versions. None for a first publication, for new data graded
    under the same versions, and for a run of unknown versions (none recorded)."""
    if published is None or published.weight_set_id is None or run.same_versions(published):
        return None
    return published


def _run_record(run: ScoreRun | None) -> dict | None:
    """What the audit trail keeps of a month's published run."""
    if run is None:
        return None
    return {
        "run": run.pk,
        "month": format_period(run.period),
        "weights_version": run.weight_set.version if run.weight_set else None,
        "method_version": run.method_version.version if run.method_version else None,
        "method": run.method,
    }
