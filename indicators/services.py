"""Writes for indicators and their data: an admin's edits, additions and retirements of
indicators, each checked whole before anything is saved; an import is checked whole,
then written in one transaction."""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.fastcheck import check_value_chunks
from indicators.locks import is_lock_conflict, lock_company_months
from indicators.models import ImportBatch, Indicator
from indicators.periods import format_period, month_start
from indicators.signals import FollowUp, announce_values_changed
from indicators.validation import (
    INDICATOR,
    LONG_COLUMNS,
    PERIOD,
    STATION,
    VALUE,
    IndicatorRule,
    ParsedValues,
    ValueReference,
    header_aliases,
    parse_indicator_table,
)
from indicators.valuestore import ValueRows, store_values
from stations.models import Company, Station
from tabular.defects import FileRejected
from tabular.frames import ExactReaderNeeded, read_csv_chunks, table_chunks
from tabular.reading import Table, file_sha256, limits_from_settings, read_table

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class IndicatorImportResult:
    batch: ImportBatch
    periods: list[date]
    #: What the new values started (scoring: a recompute run per month).
    runs: list[FollowUp]
    empty_cells: int
    layout: str


def value_reference(today: date | None = None) -> ValueReference:
    """What the validation needs to know, read in two queries."""
    stations = dict(Station.objects.values_list("code", "county__company_id"))
    # Every indicator, retired ones too: a value is checked against the months its
    # indicator is in force, so a retired indicator's months are refused by name.
    every = list(Indicator.objects.all())
    names = {indicator.code: (indicator.name_zh, indicator.name_en) for indicator in every}
    indicators = {
        indicator.code: IndicatorRule(
            indicator.code,
            indicator.min_value,
            indicator.max_value,
            active_from=indicator.active_from,
            retired_from=indicator.retired_from,
        )
        for indicator in every
    }
    return ValueReference(
        station_company=stations,
        indicators=indicators,
        today=today or timezone.localdate(),
        aliases=header_aliases(names),
    )


def check_indicator_file(
    path: Path, *, display_name: str, today: date | None = None
) -> ParsedValues:
    """Read and check a whole file of indicator values; raises FileRejected listing every
    defect. Writes nothing.

    A CSV file is read in chunks and checked column-wise (``indicators.fastcheck``),
    which names its defects by line. Any other file (an XLSX workbook, a CSV that reader
    does not take) is read whole, then checked column-wise too when its columns prove it
    clean, else cell by cell, which names every defect by line."""
    reference = value_reference(today)
    parsed = _check_columns(Path(path), reference, display_name)
    if parsed is not None:
        return parsed
    table = read_table(path, limits_from_settings(), display_name=display_name)
    parsed = _check_table_columns(table, reference, display_name)
    if parsed is not None:
        return parsed
    return parse_indicator_table(table, reference, display_name)


def _check_columns(
    path: Path, reference: ValueReference, display_name: str = ""
) -> ParsedValues | None:
    """The column-wise check of a CSV file (raises FileRejected naming every defect), or
    None when the file must be read whole and checked cell by cell."""
    try:
        csv = read_csv_chunks(path, limits_from_settings())
        return check_value_chunks(csv.header, csv.chunks, reference, display_name or path.name)
    except ExactReaderNeeded:
        return None


def _check_table_columns(
    table: Table, reference: ValueReference, display_name: str
) -> ParsedValues | None:
    """The column-wise check of a table read whole (an XLSX workbook): its values when
    the columns prove it clean, else None and the caller checks it cell by cell, so every
    defect is named from the cells as read."""
    try:
        chunks = table_chunks(table)
        return check_value_chunks(chunks.header, chunks.chunks, reference, display_name)
    except (ExactReaderNeeded, FileRejected):
        return None


def value_rows(parsed: ParsedValues) -> ValueRows:
    """The checked values as ids, in (station, period, indicator) order: overlapping
    imports then never lock rows crosswise."""
    frame = parsed.frame
    station_ids = dict(
        Station.objects.filter(county__company_id=parsed.company_id).values_list("code", "id")
    )
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))

    def ids(column: str, known: dict[str, int]) -> np.ndarray:
        codes = frame[column].astype("category").cat.remove_unused_categories().cat
        by_code = np.array([known[code] for code in codes.categories], dtype=np.int64)
        return by_code[codes.codes.to_numpy()]

    stations = ids(STATION, station_ids)
    indicators = ids(INDICATOR, indicator_ids)
    periods = frame[PERIOD].to_numpy(dtype="datetime64[D]")
    order = np.lexsort((indicators, periods, stations))
    return ValueRows(
        station_ids=stations[order],
        periods=periods[order],
        indicator_ids=indicators[order],
        values=frame[VALUE].to_numpy(dtype=np.float64)[order],
    )


def write_values(batch: ImportBatch, parsed: ParsedValues, *, user=None) -> list[FollowUp]:
    """Store checked values under ``batch`` (keeping every value they replace in the
    value history) and request the months' recompute. Call inside ``atomic``, after
    ``lock_company_months`` of the file's months."""
    store_values(batch.pk, value_rows(parsed))
    company = batch.company
    assert company is not None  # both callers store the file's company on the batch first
    return announce_values_changed(company=company, periods=parsed.periods, user=user)


#: Attempts at writing a file whose months another import holds (deadlock, lock timeout).
CONFLICT_ATTEMPTS = 3
#: Longest wait for another import of the same months before an attempt gives up.
LOCK_TIMEOUT_SECONDS = 300


class ImportConflict(Exception):
    """Another import of the same months kept the rows locked; nothing was written."""

    def __init__(self) -> None:
        super().__init__(_("Another import of the same month was running; try again."))


def retry_on_conflict(write: Callable[[], T]) -> T:
    """Run ``write`` (one transaction) again after a lock conflict, a few times; then
    raise ImportConflict. Any other database error is raised as it is."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return write()
        except OperationalError as error:
            if not is_lock_conflict(error):
                raise
            logger.warning("Import attempt %d met a lock conflict: %s", attempt, error)
            if attempt < CONFLICT_ATTEMPTS:
                time.sleep(random.uniform(0.2, 1.0) * attempt)
    raise ImportConflict()


def set_lock_timeout() -> None:
    """Give up waiting for another transaction's locks after LOCK_TIMEOUT_SECONDS
    (PostgreSQL; for the rest of the current transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")


def import_indicator_file(
    path: Path | str,
    *,
    source: str,
    user=None,
    display_name: str | None = None,
    today: date | None = None,
) -> IndicatorImportResult:
    """Read, check and store a file of indicator values; request the months' recompute.

    All or nothing: any defect raises FileRejected before a row is written. Waits for
    another import of the same months; raises ImportConflict if that keeps failing.
    """
    path = Path(path)
    name = display_name or path.name
    parsed = check_indicator_file(path, display_name=name, today=today)
    digest = file_sha256(path)

    def write() -> tuple[ImportBatch, list[FollowUp]]:
        with transaction.atomic():
            set_lock_timeout()
            lock_company_months(parsed.company_id, parsed.periods)
            batch = ImportBatch.objects.create(
                company=Company.objects.get(pk=parsed.company_id),
                created_by=user,
                file_name=name[:255],
                file_sha256=digest,
                source=source,
                row_count=parsed.row_count,
                value_count=parsed.value_count,
                periods=[format_period(period) for period in parsed.periods],
            )
            return batch, write_values(batch, parsed, user=user)

    batch, runs = retry_on_conflict(write)
    return IndicatorImportResult(
        batch=batch,
        periods=parsed.periods,
        runs=runs,
        empty_cells=parsed.empty_cells,
        layout=parsed.layout,
    )


# --- The indicator list, edited by admins ------------------------------------------

#: An indicator code as the import files and weight files can name it.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class IndicatorFields:
    """What an admin may change on an indicator (its code and months have their own
    services)."""

    name_zh: str
    name_en: str
    direction: str
    unit: str
    unit_en: str
    min_value: float
    max_value: float
    department: str
    department_en: str

    @classmethod
    def names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


@dataclass(frozen=True)
class IndicatorChange:
    indicator: Indicator
    #: The direction or the valid range changed: a recompute would score it differently.
    scoring_changed: bool
    #: Stored values outside a changed valid range (they stay as they are).
    values_outside_range: int


def _range_errors(details: IndicatorFields) -> dict[str, list[str]]:
    low, high = details.min_value, details.max_value
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (low, high)):
        return {"min_value": [_("The valid range must be two finite numbers.")]}
    if low >= high:
        return {"min_value": [_("The lowest valid value must be below the highest valid value.")]}
    return {}


def _raise_if_invalid(indicator: Indicator, errors: dict[str, list]) -> None:
    """Raise every problem at once: the rules found by the caller, then each field's
    own (required, length, choices). Fields already named are not checked twice."""
    try:
        indicator.full_clean(exclude=list(errors), validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_indicator(*, indicator: Indicator, details: IndicatorFields) -> IndicatorChange:
    """Save an admin's edit of an indicator. Raises ValidationError (nothing saved).

    Months already scored keep their results: a changed direction or valid range only
    counts when a month is recomputed (history is never rewritten on the side)."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    old_range = (indicator.min_value, indicator.max_value)
    old_direction = indicator.direction
    for name, value in asdict(details).items():
        setattr(indicator, name, value)
    _raise_if_invalid(indicator, _range_errors(details))
    indicator.save()
    range_changed = old_range != (indicator.min_value, indicator.max_value)
    outside = 0
    if range_changed:
        outside = indicator.values.exclude(
            value__gte=indicator.min_value, value__lte=indicator.max_value
        ).count()
    return IndicatorChange(
        indicator=indicator,
        scoring_changed=range_changed or old_direction != indicator.direction,
        values_outside_range=outside,
    )


def _code_errors(code: str) -> dict[str, list[str]]:
    if not CODE_PATTERN.match(code):
        message = _(
            "Use lower-case letters a–z, digits and underscores, starting with a letter "
            "(for example service_quality)."
        )
    elif code in LONG_COLUMNS:
        message = _("%(code)s is a column name of the import files; choose another code.") % {
            "code": code
        }
    else:
        used = Indicator.objects.filter(code=code).first()
        if used is None:
            return {}
        message = _("The code %(code)s is already used by %(name)s.") % {
            "code": code,
            "name": used.name,
        }
    return {"code": [message]}


@transaction.atomic
def add_indicator(*, code: str, details: IndicatorFields, active_from: date) -> Indicator:
    """Add an indicator that counts from the month ``active_from``; listed last.
    Raises ValidationError (nothing saved).

    It has no weight in any existing weight version, so it counts in a company's score
    only once a new weight version gives it one."""
    indicator = Indicator(
        code=code,
        active_from=month_start(active_from),
        display_order=(Indicator.objects.aggregate(last=Max("display_order"))["last"] or 0) + 1,
        **asdict(details),
    )
    _raise_if_invalid(indicator, {**_code_errors(code), **_range_errors(details)})
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:  # the same code added at the same moment by someone else
        raise ValidationError(_code_errors(code) or {"code": [_("This code is taken.")]}) from None
    return indicator


def check_retirement(*, indicator: Indicator, retired_from: date, reason: str) -> None:
    """Raise ValidationError when the indicator cannot be retired from that month."""
    errors: dict[str, list[str]] = {}
    if indicator.retired_from is not None:
        errors[NON_FIELD_ERRORS] = [
            _("%(name)s is already retired from %(month)s.")
            % {"name": indicator.name, "month": format_period(indicator.retired_from)}
        ]
    if indicator.active_from is not None and retired_from <= indicator.active_from:
        errors["retired_from"] = [
            _(
                "%(name)s counts only from %(month)s: it cannot be retired before or in that "
                "month. Choose a later month."
            )
            % {"name": indicator.name, "month": format_period(indicator.active_from)}
        ]
    if not reason.strip():
        errors["reason"] = [_("Say why the indicator is retired.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def retire_indicator(*, indicator: Indicator, retired_from: date, reason: str) -> Indicator:
    """Retire an indicator from the month ``retired_from`` on: it no longer counts in
    that month and after. Raises ValidationError (nothing saved).

    Months already scored keep their results until they are recomputed; its stored
    values stay (they are simply not read for those months)."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    retired_from = month_start(retired_from)
    check_retirement(indicator=indicator, retired_from=retired_from, reason=reason)
    indicator.retired_from = retired_from
    indicator.retirement_reason = reason.strip()
    indicator.active = False
    indicator.save()
    return indicator
