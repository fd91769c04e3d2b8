"""Writes of branch pairing and department help: accept, end early."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from improvement.engine import PAIRING_RULE
from improvement.models import (
    BranchPairing,
    DepartmentHelp,
)
from improvement.text.pairing import record_reasons
from indicators.models import Indicator
from indicators.periods import format_period
from mapviews.pagecache import data_changed
from scoring.selectors import current_runs, opening_period
from stations.models import Company, Station


@dataclass(frozen=True)
class Span:
    """The months an accepted pairing or help runs (both included), and a note."""

    start_month: date
    end_month: date
    note: str = ""


@dataclass(frozen=True)
class ChosenPair:
    """A pair the committee accepts, with what it is recorded with: the grades of the
    month it is based on, its benefit by the month's rule, and its reasons."""

    weak: Station
    strong: Station
    weak_grade: str
    strong_grade: str
    benefit: float
    as_proposed: bool
    reasons: list[dict]


def chosen_pairs(plan, evaluation) -> list[ChosenPair]:
    """The pairs of an evaluated pairing (``PairingMonth.evaluate``), ready to record: the
    grades of the month, the evaluated benefit, whether each is the proposal's pair, and
    its reasons as data."""
    proposed = plan.proposed_partners()
    return [
        ChosenPair(
            weak=plan.stations[weak],
            strong=plan.stations[strong],
            weak_grade=plan.grade(weak),
            strong_grade=plan.grade(strong),
            benefit=benefit,
            as_proposed=proposed.get(weak) == strong,
            reasons=record_reasons(plan.reasons(weak, strong)),
        )
        for weak, strong, benefit in evaluation.benefits
    ]


@dataclass(frozen=True)
class PairingAcceptance:
    pairings: list[BranchPairing]
    #: False: exactly these pairs were already recorded (a form sent twice); nothing new.
    created: bool


def _check_span(span: Span, based_on: date) -> None:
    errors = []
    if span.end_month < span.start_month:
        errors.append(_("The last month cannot be before the first month."))
    if span.start_month < based_on:
        errors.append(
            _("The first month cannot be before %(month)s, the month it is based on.")
            % {"month": format_period(based_on)}
        )
    if errors:
        raise ValidationError(errors)


def _lock_company(company: Company) -> None:
    """Accepting for a company one request at a time: the overlap checks then see every
    row an earlier request wrote (PostgreSQL row lock; SQLite writes one at a time)."""
    Company.objects.select_for_update().filter(pk=company.pk).first()


def _check_pairs(company: Company, pairs: list[ChosenPair]) -> None:
    if not pairs:
        raise ValidationError(_("Choose a partner for at least one station."))
    errors = []
    allowed = set(PAIRING_RULE)
    for pair in pairs:
        for station in (pair.weak, pair.strong):
            if station.county.company_id != company.pk:
                errors.append(
                    _("%(station)s is not a station of %(company)s.")
                    % {"station": station.name, "company": company.name}
                )
        if pair.weak.pk == pair.strong.pk or (pair.weak_grade, pair.strong_grade) not in allowed:
            errors.append(
                _("%(weak)s cannot be paired with %(strong)s: yellow stations pair with red ones "
                  "and green with orange.") % {"weak": pair.weak.name, "strong": pair.strong.name}
            )  # fmt: skip
    for role in ("weak", "strong"):
        counts = Counter(getattr(pair, role).pk for pair in pairs)
        for pair in pairs:
            station = getattr(pair, role)
            if counts.pop(station.pk, 0) > 1:
                errors.append(
                    _("%(station)s is chosen more than once; a station takes one partner.")
                    % {"station": station.name}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def accept_pairing(
    *, company: Company, based_on: date, pairs: list[ChosenPair], span: Span, user=None
) -> PairingAcceptance:
    """Record the pairs, all or none. Refused when a station is chosen twice, breaks the
    colour rule or already has a pairing in some of these months; the same pairs sent
    again for the same months record nothing new."""
    _check_span(span, based_on)
    _check_pairs(company, pairs)
    _lock_company(company)
    station_ids = [station.pk for pair in pairs for station in (pair.weak, pair.strong)]
    overlapping = list(
        BranchPairing.objects.overlapping(span.start_month, span.end_month)
        .filter(Q(weak_station_id__in=station_ids) | Q(strong_station_id__in=station_ids))
        .select_related("weak_station", "strong_station")
    )
    if overlapping:
        same = {
            (row.weak_station_id, row.strong_station_id)
            for row in overlapping
            if (row.based_on, row.start_month, row.end_month)
            == (based_on, span.start_month, span.end_month)
        }
        if len(overlapping) == len(pairs) and same == {(p.weak.pk, p.strong.pk) for p in pairs}:
            return PairingAcceptance(pairings=overlapping, created=False)
        raise ValidationError(_overlap_errors(overlapping, set(station_ids)))
    rows = [
        BranchPairing(
            company=company,
            based_on=based_on,
            start_month=span.start_month,
            end_month=span.end_month,
            note=span.note.strip(),
            weak_station=pair.weak,
            strong_station=pair.strong,
            weak_grade=pair.weak_grade,
            strong_grade=pair.strong_grade,
            benefit=pair.benefit,
            as_proposed=pair.as_proposed,
            reasons=pair.reasons,
            created_by=user,
        )
        for pair in pairs
    ]
    pairings = BranchPairing.objects.bulk_create(rows)
    data_changed()  # bulk_create sends no post_save: the kept pages show the pairings
    return PairingAcceptance(pairings=pairings, created=True)


def _overlap_errors(overlapping: list[BranchPairing], chosen: set[int]) -> list[str]:
    errors = []
    for row in overlapping:
        for station, partner in (
            (row.weak_station, row.strong_station),
            (row.strong_station, row.weak_station),
        ):
            if station.pk in chosen:
                errors.append(
                    _("%(station)s already has a pairing in these months: with %(partner)s, "
                      "%(months)s.")
                    % {"station": station.name, "partner": partner.name, "months": row.span_text}
                )  # fmt: skip
    return errors


@dataclass(frozen=True)
class ChosenHelp:
    """A station and indicator the committee accepts department help for; ``department``:
    the indicator's responsible department at acceptance."""

    station: Station
    indicator: Indicator
    department: str


@dataclass(frozen=True)
class HelpAcceptance:
    created: list[DepartmentHelp]
    #: Help already recorded for the station and indicator in some of these months.
    skipped: list[DepartmentHelp]


@transaction.atomic
def accept_help(
    *, company: Company, based_on: date, rows: list[ChosenHelp], span: Span, user=None
) -> HelpAcceptance:
    """Record department help for the rows, all or none; a (station, indicator) that
    already has help in some of these months is skipped (and reported)."""
    _check_span(span, based_on)
    if not rows:
        raise ValidationError(_("Tick at least one station and indicator."))
    errors = []
    for row in rows:
        if row.station.county.company_id != company.pk:
            errors.append(
                _("%(station)s is not a station of %(company)s.")
                % {"station": row.station.name, "company": company.name}
            )
        if not row.department.strip():
            errors.append(
                _("%(indicator)s has no responsible department: assign one on the indicators "
                  "page first.") % {"indicator": row.indicator.name}
            )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    _lock_company(company)
    existing = {
        (item.station_id, item.indicator_id): item
        for item in DepartmentHelp.objects.overlapping(span.start_month, span.end_month)
        .filter(
            station_id__in=[row.station.pk for row in rows],
            indicator_id__in=[row.indicator.pk for row in rows],
        )
        .select_related("station", "indicator")
    }
    created, skipped, seen = [], [], set()
    for row in rows:
        key = (row.station.pk, row.indicator.pk)
        if key in seen:
            continue
        seen.add(key)
        if key in existing:
            skipped.append(existing[key])
            continue
        created.append(
            DepartmentHelp(
                company=company,
                based_on=based_on,
                start_month=span.start_month,
                end_month=span.end_month,
                note=span.note.strip(),
                department=row.department.strip(),
                indicator=row.indicator,
                station=row.station,
                created_by=user,
            )
        )
    accepted = DepartmentHelp.objects.bulk_create(created)
    data_changed()  # bulk_create sends no post_save: the kept pages show the help
    return HelpAcceptance(created=accepted, skipped=skipped)


@transaction.atomic
def end_pairing(*, pairing: BranchPairing, end_month: date) -> BranchPairing:
    """End a pairing early: its last month becomes ``end_month``."""
    return _end(BranchPairing.objects.select_for_update().get(pk=pairing.pk), end_month)


@transaction.atomic
def end_help(*, help_item: DepartmentHelp, end_month: date) -> DepartmentHelp:
    """End department help early: its last month becomes ``end_month``."""
    return _end(DepartmentHelp.objects.select_for_update().get(pk=help_item.pk), end_month)


def _end(item, end_month: date):
    """The last month becomes ``end_month``: from the latest published month on (a month
    already published keeps the pairing it had) or its first month if later, and not
    after its current last month."""
    earliest = item.earliest_end(opening_period(current_runs(item.company_id)))
    if not earliest <= end_month <= item.end_month:
        raise ValidationError(
            _("The last month must be from %(start)s to %(end)s (its current last month): "
              "published months keep what they had.")
            % {"start": format_period(earliest), "end": format_period(item.end_month)}
        )  # fmt: skip
    if end_month != item.end_month:
        item.end_month = end_month
        item.save(update_fields=["end_month"])
    return item
