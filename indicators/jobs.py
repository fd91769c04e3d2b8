"""Import jobs: a file uploaded from the web is stored, recorded as a queued import batch
and checked and written by a Celery worker, so a large file never holds a web request.

- ``submit_import`` (the web request): store the file, create the batch, send the task
  when the transaction commits. In eager mode (no broker) the job runs right there.
- ``run_import_job`` (the task): claim the batch by update, check the file, write it in
  one transaction (the same ``check_indicator_file``/``write_values`` as the command
  line), finish ``done`` or ``failed`` with its defects. Safe to run any number of times.
- ``enqueue_pending_imports`` (the beat job): send again jobs never sent, lost by the
  broker or whose worker died; delete stored files of finished jobs.

The stored file is deleted as soon as the job finishes, loaded or not.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators.jobqueue import claim, heartbeat, left_behind, owned, publish_soon, release
from indicators.locks import lock_company_months
from indicators.models import UNFINISHED, ImportBatch, ImportSource, ImportStatus
from indicators.periods import format_period
from indicators.services import (
    ImportConflict,
    check_indicator_file,
    retry_on_conflict,
    set_lock_timeout,
    write_values,
)
from indicators.validation import ParsedValues
from stations.scope import in_scope
from tabular.defects import MAX_LISTED_DEFECTS, Defect, FileRejected

logger = logging.getLogger(__name__)

#: A job is given up (failed) after this many attempts.
MAX_ATTEMPTS = 5
#: The states in which a worker holds the job.
WORKING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)

#: The Celery task that runs an import job (``indicators.tasks.import_file``).
IMPORT_TASK = "indicators.tasks.import_file"


def submit_import(
    *,
    upload: UploadedFile,
    user,
    language: str = "",
    source: str = ImportSource.WEB,
    feeding_system: str = "",
    sha256: str = "",
) -> ImportBatch:
    """Store an uploaded file and queue its import; the task is sent on commit.
    ``feeding_system`` names the system that sent it through the API (``source`` API);
    ``sha256``: the file's digest when the caller has read it already."""
    assert upload.name is not None  # a form's FileField refuses a file without a name
    sha256 = sha256 or upload_sha256(upload)
    suffix = Path(upload.name).suffix.lower()
    with transaction.atomic():
        batch = ImportBatch(
            status=ImportStatus.QUEUED,
            source=source,
            feeding_system=feeding_system[:100],
            created_by=user,
            file_name=Path(upload.name).name[:255],
            file_sha256=sha256,
            language=language[:10],
        )
        # The stored name is ours: the user's file name is kept only as text.
        batch.upload.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
        batch.save()
        transaction.on_commit(lambda: enqueue_import(batch.pk))
    return batch


def upload_sha256(upload: UploadedFile) -> str:
    """An uploaded file's SHA-256 (hex), read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def enqueue_import(batch_id: int) -> None:
    """Hand the job to Celery (see ``indicators.jobqueue``). The task is looked up by
    name (``IndicatorsConfig.ready`` loads ``indicators.tasks``), so this module never
    imports the tasks that import it."""
    publish_soon(current_app.tasks[IMPORT_TASK], batch_id, sent=_mark_sent)


def _mark_sent(batch_id: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(enqueued_at=timezone.now())


def run_import_job(batch_id: int) -> str | None:
    """Check and write the job's file; returns the job's state (None if the job was
    deleted meanwhile). Idempotent: a finished
    job, or one a live worker holds, is left as it is (``jobqueue.claim``), and every
    later write is fenced by the attempt that claimed it."""
    attempt = claim(
        ImportBatch,
        batch_id,
        queued=ImportStatus.QUEUED,
        working=WORKING,
        status=ImportStatus.VALIDATING,
    )
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    if attempt is None:
        return batch.status
    mine = owned(batch_id, attempt, WORKING)
    with (
        translation.override(batch.language or settings.LANGUAGE_CODE),
        heartbeat(ImportBatch, batch_id, working=WORKING, attempt=attempt),
    ):
        try:
            status = _check_and_write(batch, mine)
        except (OperationalError, InterfaceError):
            # Transient database trouble: give the job back so the task's retry claims it.
            release(ImportBatch, batch_id, attempt, queued=ImportStatus.QUEUED, working=WORKING)
            raise
        except Exception as exc:  # anything else will not get better by retrying
            logger.exception("Import job %s failed", batch_id)
            status = _fail(batch_id, mine, error=_("The import failed: %(error)s") % {"error": exc})
    if status in (ImportStatus.DONE, ImportStatus.FAILED):
        discard_upload(batch_id)
    return status


def _check_and_write(batch: ImportBatch, mine: Q) -> str | None:
    if not batch.upload.name or not batch.upload.storage.exists(batch.upload.name):
        return _fail(
            batch.pk, mine, error=_("The uploaded file is no longer stored; upload it again.")
        )
    try:
        parsed = check_indicator_file(Path(batch.upload.path), display_name=batch.file_name)
    except FileRejected as refusal:
        return _fail(batch.pk, mine, defects=refusal.defects)
    if batch.source == ImportSource.WEB and not _may_load(batch.created_by, parsed.company_id):
        return _fail(
            batch.pk,
            mine,
            error=_("The file's stations are of a company whose data you may not load."),
        )
    ImportBatch.objects.filter(mine).update(
        status=ImportStatus.IMPORTING,
        company_id=parsed.company_id,
        row_count=parsed.row_count,
        value_count=parsed.value_count,
        periods=[format_period(period) for period in parsed.periods],
    )
    try:
        return retry_on_conflict(lambda: _write(batch.pk, mine, parsed))
    except ImportConflict as conflict:
        return _fail(batch.pk, mine, error=str(conflict))


def _may_load(user, company_id: int) -> bool:
    """A web upload loads only into a company of its uploader's scope (``stations.scope``)."""
    return user is not None and in_scope(user, company_id)


def _write(batch_id: int, mine: Q, parsed: ParsedValues) -> str | None:
    with transaction.atomic():
        set_lock_timeout()
        # Imports of the same months wait here for each other; the job's row itself stays
        # unlocked while the values are written, so the heartbeat can renew it meanwhile.
        lock_company_months(parsed.company_id, parsed.periods)
        batch = ImportBatch.objects.filter(mine).first()
        if batch is None:  # no longer this worker's: finished or taken over meanwhile
            return _status(batch_id)
        write_values(batch, parsed, user=batch.created_by)
        batch.status = ImportStatus.DONE
        batch.finished_at = timezone.now()
        batch.error = ""
        # Saved with its state: the audit trail records the loaded file (audit.signals).
        batch.save(update_fields=["status", "finished_at", "error"])
        return batch.status


def _fail(
    batch_id: int, holder: Q, *, defects: Sequence[Defect] = (), error: str = ""
) -> str | None:
    """Fail the job if ``holder`` still selects it (its worker's claim, ``jobqueue.owned``,
    or the sweep's silent jobs): never a job that another worker loaded or holds now.
    Returns the job's state."""
    ImportBatch.objects.filter(holder, pk=batch_id).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        defects=[str(defect) for defect in defects[:MAX_LISTED_DEFECTS]],
        defect_count=len(defects),
        error=error[:2000],
    )
    return _status(batch_id)


def _status(batch_id: int) -> str | None:
    """The job's state; None if the job is gone."""
    return ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()


def discard_upload(batch_id: int) -> None:
    """Delete the job's stored file (after it finished)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or not batch.upload.name:
        return
    batch.upload.delete(save=False)
    ImportBatch.objects.filter(pk=batch_id).update(upload="")


def enqueue_pending_imports(now=None) -> int:
    """Send again jobs left behind: never sent (the broker was down), lost by the broker,
    or whose worker died (no heartbeat for a lease); give up on a lost job tried
    MAX_ATTEMPTS times; delete files of finished jobs."""
    now = now or timezone.now()
    behind = left_behind(queued=ImportStatus.QUEUED, working=WORKING, now=now)
    for batch in ImportBatch.objects.filter(behind.silent, attempts__gte=MAX_ATTEMPTS):
        with translation.override(batch.language or settings.LANGUAGE_CODE):
            message = _("Gave up after %(count)d attempts.") % {"count": MAX_ATTEMPTS}
        _fail(batch.pk, behind.silent, error=message)
    finished = ImportBatch.objects.exclude(status__in=UNFINISHED).exclude(upload="")
    for batch_id in finished.values_list("pk", flat=True):
        discard_upload(batch_id)
    batch_ids = list(
        ImportBatch.objects.filter(behind.resend).order_by("pk").values_list("pk", flat=True)
    )
    for batch_id in batch_ids:
        enqueue_import(batch_id)
    return len(batch_ids)
