"""Reads of branch pairing and department help: the month's proposals, what is in force."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
from django.core.cache import cache

from improvement.engine import (
    PAIRING_RULE,
    PairingEvaluation,
    PairingProposal,
    Strength,
    department_help,
    evaluate_pairing,
    pair_reasons,
    propose_pairing,
)
from improvement.engine.assignment import haversine_km
from improvement.engine.weakness import LAGGING_INDICATOR_GRADE
from improvement.models import (
    BranchPairing,
    DepartmentHelp,
    PairingOptions,
)
from improvement.selectors.months import MonthGrades, as_station_id, month_grades
from indicators.models import Indicator
from indicators.periods import add_months
from mapviews.pagecache import generation
from mapviews.selectors import month_values
from scoring.engine.grades import grade_position
from scoring.selectors import (
    current_run,
    effective_weight_set,
    weight_series,
)
from stations.models import County, Station

#: Why a station may not partner a weak one (``PairingMonth.refusal``).
NOT_OF_COMPANY = "not_of_company"
WRONG_GRADE = "wrong_grade"
OTHER_COUNTY = "other_county"
ALREADY_PAIRED = "already_paired"

#: A pairing or help accepted now runs for this many months by default (from next month).
DEFAULT_SPAN_MONTHS = 3


def default_span(based_on: date) -> tuple[date, date]:
    """The months a pairing or help chosen from ``based_on``'s grades runs by default:
    the next month and the two after it."""
    start = add_months(based_on, 1)
    return start, add_months(start, DEFAULT_SPAN_MONTHS - 1)


def pairings_in_force(company_id: int, period: date) -> list[BranchPairing]:
    """Accepted pairings not ended by ``period`` (those starting later included): by first
    month, then yellow–red before green–orange, the largest benefit first."""
    pairings = (
        BranchPairing.objects.not_ended(period)
        .filter(company_id=company_id)
        .select_related("weak_station", "strong_station")
    )
    return sorted(
        pairings,
        key=lambda p: (p.start_month, -(grade_position(p.weak_grade) or 0), -p.benefit, p.pk),
    )


def help_in_force(company_id: int, period: date) -> list[DepartmentHelp]:
    """Accepted department help not ended by ``period`` (those starting later included)."""
    return list(
        DepartmentHelp.objects.not_ended(period)
        .filter(company_id=company_id)
        .select_related("station", "indicator")
        .order_by(
            "indicator__display_order", "station__sort_key", "station__code", "start_month", "pk"
        )
    )


def indicator_names() -> dict[str, str]:
    """Every indicator's name in the active language, by code (retired ones included)."""
    return {indicator.code: indicator.name for indicator in Indicator.objects.all()}


@dataclass(frozen=True)
class PairingMonth:
    """A scored month's branch-pairing proposal, and what showing, editing and recording
    it needs. ``busy``: station id → the pairing it is already in at ``start`` (the month
    a pairing accepted now starts); those stations are left out of the proposal."""

    month: MonthGrades
    proposal: PairingProposal
    start: date
    stations: dict[int, Station]
    busy: dict[int, BranchPairing]
    #: Partners are proposed (and offered) only within each station's county.
    within_county: bool = False

    def same_county(self, one: int, other: int) -> bool:
        """Whether ``other`` may partner ``one``: any station of the company, or only
        one of its county when the company pairs within counties."""
        if not self.within_county:
            return True
        return self.stations[one].county_id == self.stations[other].county_id

    def grade(self, station_id: int) -> str | None:
        return self.month.grades.get(station_id)

    def stations_graded(self, grade: str, *, best_first: bool) -> list[int]:
        """The month's stations of ``grade``, by rank (busy ones included)."""
        scores = self.month.scores
        ranked = scores[scores["grade"] == grade].sort_values(
            "rank", ascending=best_first, kind="stable"
        )
        return [as_station_id(label) for label in ranked.index]

    def proposed_partners(self) -> dict[int, int]:
        """weak station id → the proposal's partner."""
        return self._proposed

    @cached_property
    def _proposed(self) -> dict[int, int]:
        return {
            as_station_id(pair.weak): as_station_id(pair.strong) for pair in self.proposal.pairs
        }

    def evaluate(self, pairs: list[tuple[int, int]]) -> PairingEvaluation:
        return evaluate_pairing(pairs, self.month.normalised, self.proposal)

    def reasons(self, weak: int, strong: int) -> tuple[Strength, ...]:
        return pair_reasons(self.proposal.rule, self.month.normalised, weak, strong)

    def distance_km(self, weak: int, strong: int) -> float:
        return station_distance_km(self.stations[weak], self.stations[strong])

    def weak_stations(self, county_id: int | None = None) -> list[int]:
        """The weak stations to give a partner, as the page lists them: yellow, then
        green, each weakest first; not those already paired; of one county if given."""
        return [
            station_id
            for weak_grade, _strong in PAIRING_RULE
            for station_id in self.stations_graded(weak_grade, best_first=False)
            if station_id not in self.busy
            and (county_id is None or self.stations[station_id].county_id == county_id)
        ]

    def partner_grade(self, weak: int) -> str | None:
        """The grade a weak station's partner must have (None: not a weak grade)."""
        return dict(PAIRING_RULE).get(self.grade(weak) or "")

    def station_with_code(self, code: str) -> int | None:
        """The id of the company's station with this code (None: no such station)."""
        code = code.strip()
        return next((pk for pk, station in self.stations.items() if station.code == code), None)

    def refusal(self, weak: int, strong: int) -> str | None:
        """Why ``strong`` may not partner ``weak`` (None: it may): ``NOT_OF_COMPANY``,
        ``WRONG_GRADE`` (not of the weak station's partner grade), ``OTHER_COUNTY``
        (pairing within counties) or ``ALREADY_PAIRED`` (in a pairing running into the
        start month). The one rule of who may be chosen; the services check it again."""
        if strong not in self.stations:
            return NOT_OF_COMPANY
        grade = self.partner_grade(weak)
        if grade is None or self.grade(strong) != grade:
            return WRONG_GRADE
        if not self.same_county(weak, strong):
            return OTHER_COUNTY
        if strong in self.busy:
            return ALREADY_PAIRED
        return None

    def best_partners(self, weak_ids: list[int], count: int) -> dict[int, list[int]]:
        """Each weak station's ``count`` best eligible partners (``refusal`` is None):
        the largest benefit first, then the better ranked; for a page's rows, so one
        benefit row per weak station of the page against its partner grade."""
        found: dict[int, list[int]] = {}
        for weak_grade, strong_grade in PAIRING_RULE:
            rows = [pk for pk in weak_ids if self.grade(pk) == weak_grade]
            if not rows:
                continue
            strong = [
                pk
                for pk in self.stations_graded(strong_grade, best_first=True)
                if pk not in self.busy and pk in self.stations
            ]
            rule = self.proposal.rule
            benefits = rule.matrix(
                rule.values(self.month.normalised, rows),
                rule.values(self.month.normalised, strong),
            )
            counties = np.array([self.stations[pk].county_id for pk in strong])
            for n, weak in enumerate(rows):
                benefit = benefits[n]
                if self.within_county:
                    benefit = np.where(counties == self.stations[weak].county_id, benefit, -np.inf)
                order = np.argsort(-benefit, kind="stable")[:count]
                found[weak] = [strong[i] for i in order if np.isfinite(benefit[i])]
        return found


def station_distance_km(one: Station, other: Station) -> float:
    # The engine's function broadcasts over arrays; one pair is four 0-d arrays.
    lat1, lon1, lat2, lon2 = (
        np.asarray(value)
        for value in (one.latitude, one.longitude, other.latitude, other.longitude)
    )
    return float(haversine_km(lat1, lon1, lat2, lon2))


def pairs_within_county(company_id: int) -> bool:
    """Whether the company asked for partners within each county (``PairingOptions``)."""
    return PairingOptions.objects.filter(company_id=company_id, within_county=True).exists()


#: How long a run's frames stay cached (seconds): a run's rows never change (a re-grade is
#: a new run), so this only bounds what an idle cache holds.
MONTH_SECONDS = 24 * 60 * 60


def _month_grades(company_id: int, period: date) -> MonthGrades | None:
    """``month_grades``, its frames kept in the cache by run and the data's generation (an
    indicator's order edited): both pages of a large company then read one run row, not
    every station's score, on each request."""
    run = current_run(company_id, period)
    if run is None:
        return None
    key = f"improvement:month-frames:{run.pk}:{generation()}"
    frames = cache.get(key)
    if frames is not None:
        scores, normalised, grades = frames
        return MonthGrades(run.period, run, scores, normalised, grades)
    month = month_grades(company_id, period)
    if month is not None and month.run.pk == run.pk:
        cache.set(key, (month.scores, month.normalised, month.indicator_grades), MONTH_SECONDS)
    return month


def company_stations(company_id: int) -> dict[int, Station]:
    """The company's stations by id, each with its county (the few counties read once and
    shared: half the objects of ``select_related``, at 30,000 stations a good part of
    the pairing page's time)."""
    counties = County.objects.filter(company_id=company_id).in_bulk()
    county = Station._meta.get_field("county")
    stations = {}
    for station in Station.objects.filter(county__company_id=company_id):
        county.set_cached_value(station, counties[station.county_id])
        stations[station.pk] = station
    return stations


def pairing_month(company_id: int, period: date) -> PairingMonth | None:
    """The proposal from ``period``'s grades for pairings starting next month (None when
    the month is not scored): of the company's own stations only (a month's grades are
    one company's), within each county when the company asks for it. Stations in a
    pairing that runs into next month are left out; the medians are still those of every
    station of the month."""
    month = _month_grades(company_id, period)
    if month is None:
        return None
    start, _end = default_span(period)
    busy: dict[int, BranchPairing] = {}
    for pairing in pairings_in_force(company_id, start):
        busy.setdefault(pairing.weak_station_id, pairing)
        busy.setdefault(pairing.strong_station_id, pairing)
    stations = company_stations(company_id)
    coordinates = pd.DataFrame.from_dict(
        {pk: (s.latitude, s.longitude) for pk, s in stations.items()},
        orient="index",
        columns=["latitude", "longitude"],
    )
    # Only this company's stations (a month's rows are; this keeps it so), not busy.
    grades = month.grades[
        month.grades.index.isin(list(stations)) & ~month.grades.index.isin(list(busy))
    ]
    weight_set = month.run.weight_set or effective_weight_set(company_id, period)
    weights, _higher = weight_series(weight_set)
    within_county = pairs_within_county(company_id)
    counties = (
        pd.Series({pk: station.county_id for pk, station in stations.items()})
        if within_county
        else None
    )
    key = _proposal_key(month, weight_set.pk if weight_set else None, within_county, busy)
    proposal = cache.get(key)
    if proposal is None:
        proposal = propose_pairing(
            month.normalised, grades, weights, coordinates=coordinates, groups=counties
        )
        cache.set(key, proposal, PROPOSAL_SECONDS)
    return PairingMonth(month, proposal, start, stations, busy, within_county)


#: How long a month's pairing proposal stays cached (seconds): it is made again when
#: anything it is made from changes (its key), so this only bounds what an idle cache
#: holds. At 30,000 stations making it takes seconds; every page of it reuses it.
PROPOSAL_SECONDS = 24 * 60 * 60


def _proposal_key(
    month: MonthGrades, weight_set: int | None, within_county: bool, busy: dict
) -> str:
    """What the proposal is made from: the run (its grades and values never change), the
    weights, the county option, the stations already paired, and the data's generation
    (a station's county or place edited, a pairing accepted or ended)."""
    made_from = (month.run.pk, weight_set, within_county, sorted(busy), generation())
    digest = hashlib.sha256(repr(made_from).encode()).hexdigest()[:32]
    return f"improvement:pairing-proposal:{digest}"


@dataclass(frozen=True)
class HelpRow:
    """A station graded yellow on an indicator, the department that should help it
    (None: the indicator has none), its raw value against the company median, and the
    help already in force at the start month for that station and indicator.
    ``station_grade``: the station's composite grade of the month."""

    department: str | None
    indicator: Indicator
    station: Station
    station_grade: str
    value: float | None
    median: float | None
    in_force: DepartmentHelp | None

    @property
    def key(self) -> str:
        return f"{self.station.pk}:{self.indicator.code}"


@dataclass(frozen=True)
class HelpMonth:
    month: MonthGrades
    start: date
    #: (department in the active language or None, its rows), None last.
    groups: list[tuple[str | None, list[HelpRow]]]

    @property
    def rows(self) -> list[HelpRow]:
        return [row for _department, rows in self.groups for row in rows]


@dataclass(frozen=True)
class HelpOutline:
    """The department-help proposal of a month before its rows are read: by department
    (in the active language, None last), each a list of (indicator code, station id) in
    the order the page lists them, and the (station id, code) already helped at
    ``start``. A large company's page reads the rows of one page of it (``rows``)."""

    month: MonthGrades
    start: date
    groups: list[tuple[str | None, list[tuple[str, int]]]]
    helped: frozenset[tuple[int, str]]
    indicators: dict[str, Indicator]

    @property
    def count(self) -> int:
        return sum(len(keys) for _department, keys in self.groups)

    def whole(self) -> HelpMonth:
        """Every row, by department."""
        rows = iter(self.rows([key for _department, keys in self.groups for key in keys]))
        groups = [(department, [next(rows) for _key in keys]) for department, keys in self.groups]
        return HelpMonth(self.month, self.start, groups)

    def rows(self, keys: list[tuple[str, int]]) -> list[HelpRow]:
        """The rows of these (code, station id), in their order (a few queries)."""
        station_ids = sorted({station_id for _code, station_id in keys})
        stations = Station.objects.filter(pk__in=station_ids).select_related("county").in_bulk()
        raw = month_values(station_ids, self.month.period, self.month.run).values
        medians = self.month.raw_medians
        in_force = {
            (item.station_id, item.indicator.code): item
            for item in DepartmentHelp.objects.not_ended(self.start)
            .filter(station_id__in=station_ids)
            .select_related("indicator")
        }
        grades = self.month.grades.to_dict()
        department = {
            (code, station_id): name for name, group in self.groups for code, station_id in group
        }
        return [
            HelpRow(
                department=department.get((code, station_id)),
                indicator=self.indicators[code],
                station=stations[station_id],
                station_grade=grades.get(station_id),
                value=raw.get(station_id, {}).get(code),
                median=medians.get(code),
                in_force=in_force.get((station_id, code)),
            )
            for code, station_id in keys
        ]


def help_outline(company_id: int, period: date) -> HelpOutline | None:
    """The department-help proposal of ``period`` without its rows (None when the month is
    not scored): by department as ``department_help`` orders them; within one, each
    indicator's stations weakest first."""
    month = _month_grades(company_id, period)
    if month is None:
        return None
    start, _end = default_span(period)
    indicators = {
        indicator.code: indicator for indicator in Indicator.objects.filter(code__in=month.codes)
    }
    frame = department_help(
        month.indicator_grades,
        {code: item.department_label for code, item in indicators.items()},
        lagging=(LAGGING_INDICATOR_GRADE,),
    )
    # Within a department (in the frame's order), each indicator's stations weakest first
    # (a stable sort: equal values keep the frame's order), sorted as arrays.
    departments = list(frame["department"])
    rank = {department: n for n, department in enumerate(dict.fromkeys(departments))}
    column = month.normalised.columns.get_indexer(frame["indicator"])  # the month's order
    value = month.normalised.to_numpy()[
        month.normalised.index.get_indexer(frame["station"]), column
    ]
    order = np.lexsort((value, column, [rank[department] for department in departments]))
    codes, station_ids = frame["indicator"].to_numpy(), frame["station"].to_numpy()
    groups: dict[str | None, list[tuple[str, int]]] = {}
    for n in order.tolist():
        groups.setdefault(departments[n], []).append((codes[n], int(station_ids[n])))
    helped = frozenset(
        DepartmentHelp.objects.not_ended(start)
        .filter(company_id=company_id)
        .values_list("station_id", "indicator__code")
    )
    return HelpOutline(month, start, list(groups.items()), helped, indicators)


def help_month(company_id: int, period: date) -> HelpMonth | None:
    """The department-help proposal of ``period`` with every row (None when the month is
    not scored), in the order of ``help_outline``."""
    outline = help_outline(company_id, period)
    return outline.whole() if outline is not None else None
