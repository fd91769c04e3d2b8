"""Receiving a batch of values from a token: check it whole (the import's own check plus
the token's scope), then hand it to the import path as a job (``indicators.jobs``).

Nothing here writes values: ``submit_import`` stores the batch as an ImportBatch and its
job (``run_import_job``: ``check_indicator_file`` + ``write_values``) writes them.
"""

from __future__ import annotations

import hashlib
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from api.batches import (
    JSON,
    SUFFIX,
    BadBatch,
    ValuesBody,
    defect_rows,
    json_row_name,
    json_to_csv,
    scope_defects,
)
from api.models import ApiToken, Submission
from api.tokens import allowed_indicator_codes
from indicators.jobs import run_import_job, submit_import
from indicators.models import ImportBatch, ImportSource, ImportStatus
from indicators.periods import parse_period
from indicators.services import check_indicator_file, value_reference
from indicators.validation import canonical_header
from tabular.defects import Defect, FileRejected, naming_lines
from tabular.reading import Table, limits_from_settings, read_table

CREATED = 201
ACCEPTED = 202


class BatchRejected(Exception):
    """Nothing was written: the batch has these defects (as the API shows them)."""

    def __init__(self, message: str, defects: list[dict]):
        super().__init__(message)
        self.message = message
        self.defects = defects


class KeyReused(Exception):
    """The idempotency key was already used for another body."""


@dataclass(frozen=True)
class Received:
    submission: Submission
    status: int
    replayed: bool
    #: The months the batch holds values for.
    periods: tuple[date, ...] = ()


def submit_values(*, token: ApiToken, body: ValuesBody, key: str = "") -> Received:
    """Check the batch and queue its import, once per idempotency key (the body's hash
    when no key is given). Raises BadBatch (not a batch), BatchRejected, KeyReused."""
    digest = hashlib.sha256(body.data).hexdigest()
    key = key or f"sha256:{digest}"
    earlier = _earlier(token, key, digest)
    if earlier is not None:
        return _replay(earlier)
    file_bytes = _as_file(body)
    value_count, periods = _check(token, body.kind, file_bytes)
    name = f"api-{token.prefix}-{digest[:12]}{SUFFIX[body.kind]}"
    small = value_count <= settings.API_SYNC_MAX_VALUES
    try:
        with transaction.atomic():
            batch = submit_import(
                upload=SimpleUploadedFile(name, file_bytes),
                user=None,
                language=get_language() or "",
                source=ImportSource.API,
                feeding_system=token.name,
            )
            submission = _record(token, key, digest, batch, CREATED if small else ACCEPTED)
    except IntegrityError:  # the same key sent at the same moment: the other one counts
        earlier = _earlier(token, key, digest)
        if earlier is None:
            raise
        return _replay(earlier)
    if small:
        # A small batch is written before the answer (a worker that already took the job
        # keeps it: the job is claimed once). In eager mode it already ran on commit.
        run_import_job(batch.pk)
        submission.batch.refresh_from_db()
        if not submission.batch.is_finished:
            submission.first_status = ACCEPTED
            submission.save(update_fields=["first_status"])
    return Received(submission, submission.first_status, replayed=False, periods=periods)


def _replay(earlier: Submission) -> Received:
    periods = tuple(parse_period(text) for text in earlier.batch.periods)
    return Received(earlier, earlier.first_status, replayed=True, periods=periods)


def _earlier(token: ApiToken, key: str, digest: str) -> Submission | None:
    """The submission this key already made, unless its job failed (then it may be sent
    again; the failed batch stays in the list of imports)."""
    earlier = (
        Submission.objects.select_related("batch", "token").filter(token=token, key=key).first()
    )
    if earlier is None:
        return None
    if earlier.body_sha256 != digest:
        raise KeyReused(
            _("This Idempotency-Key was already used for a different batch; use a new key.")
        )
    if earlier.batch.status == ImportStatus.FAILED:
        return None
    return earlier


def _record(token: ApiToken, key: str, digest: str, batch: ImportBatch, status: int) -> Submission:
    submission, _created = Submission.objects.update_or_create(
        token=token,
        key=key,
        defaults={"body_sha256": digest, "batch": batch, "first_status": status},
    )
    return submission


def _as_file(body: ValuesBody) -> bytes:
    if body.kind != JSON:
        return body.data
    try:
        return json_to_csv(body.data)
    except BadBatch as bad:
        if not bad.defects:
            raise  # not a batch at all (a 400)
        raise BatchRejected(bad.message, defect_rows(bad.defects, kind=JSON)) from bad


def _check(token: ApiToken, kind: str, file_bytes: bytes) -> tuple[int, tuple[date, ...]]:
    """Every defect of the batch, the import's and the scope's, or its value count and
    months."""
    with tempfile.TemporaryDirectory(prefix="api-batch-") as folder:
        path = Path(folder) / f"batch{SUFFIX[kind]}"
        path.write_bytes(file_bytes)
        display = _("the batch")
        try:
            table = read_table(path, limits_from_settings(), display_name=display)
        except FileRejected as refusal:
            raise _rejected(refusal.defects, kind) from refusal
        reference = value_reference()
        # The scope reads the columns by their codes: a column named 供电所编码 or 线损管理
        # is the import's station_code or line_loss, and must be held to the token's scope.
        table = Table(
            header=canonical_header(table.header, reference.aliases),
            rows=table.rows,
            encoding=table.encoding,
        )
        scope = scope_defects(
            table,
            station_company=reference.station_company,
            company_id=token.company_id,
            company_name=token.company.name,
            known_indicators=set(reference.indicators),
            allowed_indicators=allowed_indicator_codes(token),
        )
        naming = naming_lines(json_row_name) if kind == JSON else nullcontext()
        try:
            with naming:
                parsed = check_indicator_file(path, display_name=display)
            found: list[Defect] = []
        except FileRejected as refusal:
            found = refusal.defects
        if scope:  # the scope's defects name the foreign stations line by line
            found = [defect for defect in found if defect.code != "mixed_companies"]
        defects = sorted([*found, *scope], key=lambda defect: defect.line or 0)
        if defects:
            raise _rejected(defects, kind)
        return parsed.value_count, tuple(parsed.periods)


def _rejected(defects: list[Defect], kind: str) -> BatchRejected:
    message = _("The batch was rejected, nothing was written (%(count)d problems).") % {
        "count": len(defects)
    }
    return BatchRejected(message, defect_rows(defects, kind=kind))
