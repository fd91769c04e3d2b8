"""Reads for scoring: the inputs of a month as DataFrames, and the stored results."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery

from indicators.models import Direction, Indicator, IndicatorValue
from indicators.periods import add_months, month_start
from scoring.engine import DEFAULT_METHOD, ScoringMethod
from scoring.engine.grades import ALL_GRADES
from scoring.engine.method import CARRY_FORWARD
from scoring.methodsource import governing_version, unit_version_in_force
from scoring.models import (
    MethodVersion,
    MonthClose,
    RunGradeCount,
    RunStatus,
    ScoreRun,
    SensitivityRun,
    StationScore,
    Weight,
    WeightSet,
)
from scoring.targets import initial_method
from scoring.weightfile import weight_shares
from stations.models import Company, County, OrgMember, OrgUnit, Station, StationMember


class NoWeightsError(Exception):
    """No weight version is effective for the month."""


@dataclass(frozen=True)
class PeriodInputs:
    """Everything the engine needs for one company-month, plus where it came from."""

    values: pd.DataFrame  # index station id (every active station), columns indicator codes
    weights: pd.Series  # indicator code → weight
    higher_is_better: pd.Series  # indicator code → bool
    weight_set: WeightSet
    method: ScoringMethod = DEFAULT_METHOD
    method_version: MethodVersion | None = None
    #: The months before (the month before first), when the method carries values forward.
    history: tuple[pd.DataFrame, ...] = ()
    #: Station → peer group, when the method grades within peer groups.
    peer_groups: pd.Series | None = None
    #: Indicator → its valid range (the goalposts of an indicator the method names none for).
    valid_ranges: dict[str, tuple[float, float]] | None = None

    def fingerprint(self) -> str:
        """A hash of every input: equal fingerprints give equal scores."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.method.as_record(), sort_keys=True).encode())
        digest.update(f"weights:{self.weight_set.pk}".encode())
        digest.update(self.weights.to_json().encode())
        digest.update(self.higher_is_better.to_json().encode())
        digest.update(self.values.index.to_numpy().tobytes())
        digest.update(",".join(self.values.columns).encode())
        digest.update(self.values.to_numpy(dtype=float).tobytes())
        for month in self.history:
            digest.update(month.to_numpy(dtype=float).tobytes())
        if self.peer_groups is not None:
            digest.update(json.dumps(self.peer_groups.tolist()).encode())
        if self.valid_ranges is not None:
            digest.update(json.dumps(self.valid_ranges, sort_keys=True).encode())
        return digest.hexdigest()

    def score(self):
        """The month scored by the engine with everything it needs."""
        from scoring.engine import score_period

        return score_period(
            self.values,
            self.weights,
            self.higher_is_better,
            self.method,
            history=list(self.history),
            peer_groups=self.peer_groups,
            valid_ranges=self.valid_ranges,
        )


def effective_weight_set(company_id: int, period: date) -> WeightSet:
    """The weight version that grades the company's month: its own or one inherited from
    a unit above it (``scoring.methodsource``, the one place that decides)."""
    weight_set = governing_version(WeightSet, company_id, period)
    if weight_set is None:
        raise NoWeightsError(period)
    return weight_set  # type: ignore[return-value]


def effective_method(company_id: int, period: date) -> MethodVersion | None:
    """The method version governing the month, own or inherited (None: the default
    method; ``scoring.methodsource``)."""
    return governing_version(MethodVersion, company_id, period)  # type: ignore[return-value]


def governing_before(version: MethodVersion) -> MethodVersion | None:
    """The method version that governs the months just before this one's (the one it
    follows in effect; not always the previous number: a version can be dated earlier
    than versions saved before it)."""
    earlier = Q(effective_from__lt=version.effective_from) | Q(
        effective_from=version.effective_from, version__lt=version.version
    )
    return (
        MethodVersion.objects.filter(earlier)
        .filter(Q(company_id=version.company_id) if version.company_id else Q(company=None))
        .filter(Q(unit_id=version.unit_id) if version.unit_id else Q(unit=None))
        .order_by("-effective_from", "-version")
        .first()
    )


def method_of(version: MethodVersion | None) -> ScoringMethod:
    """A version's method (the default method for none)."""
    return ScoringMethod.from_record(version.params) if version else DEFAULT_METHOD


def method_in_force(company_id: int, period: date) -> ScoringMethod:
    """The method that grades the company's month."""
    return method_of(effective_method(company_id, period))


def unit_method_in_force(unit: OrgUnit, period: date) -> ScoringMethod:
    """The grading rules a unit's new common version starts from in the month: the
    common rules in force for it (its own, else a unit's above it), else the seeded
    method a new company starts with (``scoring.targets.initial_method``)."""
    version = unit_version_in_force(MethodVersion, unit, period)
    if version is not None:
        return method_of(version)  # type: ignore[arg-type]
    return initial_method(set(Indicator.objects.filter(active=True).values_list("code", flat=True)))


def load_period_inputs(
    company_id: int,
    period: date,
    *,
    method_version: MethodVersion | bool | None = True,
    method: ScoringMethod | None = None,
    weight_set: WeightSet | None = None,
    weights: dict[str, Decimal] | None = None,
) -> PeriodInputs:
    """The month's inputs under its governing weights and method, or under the given
    ones for a comparison or a preview: a saved ``method_version`` (None: the default
    method) or an unsaved ``method``; a saved ``weight_set`` or unsaved ``weights``
    (indicator code → weight)."""
    if method is not None:
        method_version = None
    elif method_version is True:
        method_version = effective_method(company_id, period)
    if method is None:
        method = (
            ScoringMethod.from_record(method_version.params) if method_version else DEFAULT_METHOD
        )
    if weights is not None:
        weight_set, weight_rows = _unsaved_weights(company_id, weights)
    else:
        weight_set = weight_set or effective_weight_set(company_id, period)
        weight_rows = _weight_rows(weight_set)
    # An indicator not in force this month is left out, weight and all: coverage and
    # the weighted mean are then relative to the weights of the indicators in force.
    weight_rows = [row for row in weight_rows if row.indicator.in_force(period)]
    values = _month_values(company_id, period, weight_rows)
    codes = list(values.columns)
    history = ()
    forward = [code for code in method.codes_with(CARRY_FORWARD) if code in codes]
    if forward:
        history = tuple(
            _month_values(company_id, add_months(period, -back), weight_rows, values.index)
            for back in range(1, method.carry_forward_months + 1)
        )
    peer_groups = None
    if method.peer_groups:
        groups = dict(
            Station.objects.filter(pk__in=values.index.tolist()).values_list("pk", "peer_group")
        )
        peer_groups = pd.Series([groups.get(pk, "") for pk in values.index], index=values.index)
    valid_ranges = None
    if method.normalisation == "goalposts":
        valid_ranges = {
            code: (low, high)
            for code, low, high in Indicator.objects.filter(code__in=codes).values_list(
                "code", "min_value", "max_value"
            )
        }
    weights, higher = _weight_series(weight_rows)
    return PeriodInputs(
        values=values,
        weights=weights,
        higher_is_better=higher,
        weight_set=weight_set,
        method=method,
        method_version=method_version or None,
        history=history,
        peer_groups=peer_groups,
        valid_ranges=valid_ranges,
    )


def _unsaved_weights(company_id: int, weights: dict[str, Decimal]) -> tuple[WeightSet, list]:
    """Weights not saved yet (a preview), as ``_weight_rows`` gives a saved version's."""
    indicators = Indicator.objects.filter(code__in=list(weights)).order_by("display_order", "code")
    rows = [Weight(indicator=indicator, weight=weights[indicator.code]) for indicator in indicators]
    return WeightSet(company_id=company_id), rows


def _weight_rows(weight_set: WeightSet) -> list:
    return list(
        weight_set.weights.select_related("indicator").order_by(
            "indicator__display_order", "indicator__code"
        )
    )


def weight_series(weight_set: WeightSet) -> tuple[pd.Series, pd.Series]:
    """A version's weights and each indicator's direction (higher is better), by code in
    display order."""
    return _weight_series(_weight_rows(weight_set))


def _weight_series(rows: list) -> tuple[pd.Series, pd.Series]:
    codes = [row.indicator.code for row in rows]
    weights = pd.Series([float(row.weight) for row in rows], index=codes, dtype=float)
    higher = pd.Series(
        [row.indicator.direction == Direction.HIGHER_IS_BETTER for row in rows],
        index=codes,
        dtype=bool,
    )
    return weights, higher


def _month_values(
    company_id: int, period: date, weight_rows: list, stations: pd.Index | None = None
) -> pd.DataFrame:
    """Station × weighted-indicator raw values of the month (every active station, or
    the given ones), NaN where missing."""
    codes = [row.indicator.code for row in weight_rows]
    if stations is None:
        station_ids = np.fromiter(
            Station.objects.filter(county__company_id=company_id, active=True)
            .order_by("id")
            .values_list("id", flat=True),
            dtype=np.int64,
        )
    else:
        station_ids = stations.to_numpy(dtype=np.int64)
    column_of = {row.indicator_id: index for index, row in enumerate(weight_rows)}
    rows = IndicatorValue.objects.filter(
        station__county__company_id=company_id,
        station__active=True,
        period=period,
        indicator_id__in=list(column_of),
    ).values_list("station_id", "indicator_id", "value")
    # A month can hold 300,000 values: read them straight into one array (no per-row
    # work by Django's result iterator).
    found = _fetch_floats(rows, 3)
    matrix = np.full((len(station_ids), len(codes)), np.nan)
    if len(found) and len(station_ids):
        # A station made active or added between the two reads is not in this month.
        ids = found[:, 0].astype(np.int64)
        row_index = np.minimum(np.searchsorted(station_ids, ids), len(station_ids) - 1)
        known = station_ids[row_index] == ids
        found, row_index = found[known], row_index[known]
        column_lookup = np.zeros(max(column_of) + 1, dtype=np.int64)
        column_lookup[list(column_of)] = list(column_of.values())
        column_index = column_lookup[found[:, 1].astype(np.int64)]
        matrix[row_index, column_index] = found[:, 2]
    return pd.DataFrame(matrix, index=pd.Index(station_ids, name="station"), columns=codes)


def _fetch_floats(queryset, width: int) -> np.ndarray:
    """The queryset's rows of ``width`` numbers (never NULL) as an n × ``width`` float
    array. On PostgreSQL the database packs them into one binary value (each number as
    its 8 big-endian bytes, ``float8send``) that numpy reads as it is: one value to
    receive instead of a Python tuple per row (300,000 values: about 0.3 s less)."""
    if connection.vendor != "postgresql":
        return np.array(_fetch_all(queryset), dtype=float).reshape(-1, width)
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(f"c{n}" for n in range(width))
    packed = " || ".join(f"float8send(c{n}::float8)" for n in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q({names})", params)
        data = cursor.fetchone()[0]
    if data is None:  # no rows
        return np.empty((0, width))
    return np.frombuffer(data, dtype=">f8").astype(float).reshape(-1, width)


def _fetch_all(queryset) -> list[tuple]:
    """The queryset's rows straight from the database cursor (no per-row ORM work)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def scores_run(run: ScoreRun) -> ScoreRun:
    """The run whose rows hold a run's scores: the run itself, or for a run that found its
    inputs unchanged (it wrote no rows), the newest finished run of its month computed
    from the same inputs. Its sensitivity (the map's "?" marks) is that run's too."""
    if not run.unchanged:
        return run
    return (
        ScoreRun.objects.filter(
            company_id=run.company_id,
            period=run.period,
            input_fingerprint=run.input_fingerprint,
            unchanged=False,
            status=RunStatus.DONE,
        )
        .order_by("-pk")
        .first()
    ) or run


def latest_sensitivity(run: ScoreRun, *, with_results: bool = True) -> SensitivityRun | None:
    """The newest weight sensitivity of the run's scores (``scores_run``); without its
    per-station results (a large JSON at 30,000 stations) unless ``with_results``."""
    found = SensitivityRun.objects.filter(run=scores_run(run)).order_by("-created_at", "-id")
    if not with_results:
        found = found.defer("results")
    return found.first()


def current_run(company_id: int, period: date) -> ScoreRun | None:
    """The month's published run, with its month's ``close_state`` (same query)."""
    return (
        ScoreRun.objects.filter(company_id=company_id, period=period, is_current=True)
        .annotate(close_state=close_state_of_run())
        .first()
    )


def current_runs(company_id: int) -> list[ScoreRun]:
    """The shown run of every scored month, newest first (one query)."""
    return list(
        ScoreRun.objects.filter(company_id=company_id, is_current=True)
        .only(
            "period",
            "graded_count",
            "method_params",
            "summary",
            "unchanged",
            "published_at",
            "created_at",
            "started_at",
            "finished_at",
        )
        .annotate(close_state=close_state_of_run())
        .order_by("-period")
    )


def close_state_of_run() -> Subquery:
    """The run's month's close state ("provisional", "closed", or None: final without a
    close record), read in the same query as the run (``scoring.monthstate``)."""
    return Subquery(
        MonthClose.objects.filter(
            company_id=OuterRef("company_id"), period=OuterRef("period")
        ).values("state")[:1]
    )


@dataclass(frozen=True)
class ViewerStamp:
    """Who is looking and at what state of the published months (``viewer_stamp``)."""

    company_id: int | None
    own_station_id: int | None
    #: Changes whenever a month's shown run changes or gets new sensitivity marks.
    published: tuple
    #: The viewer's station's code and name (the header's link), "" without one.
    own_station_code: str = ""
    own_station_name: str = ""
    #: The viewer's top unit above companies (the header's link to its page): their own
    #: unit (``OrgMember.unit``), or a superuser's first root unit; None / "" without.
    top_unit_id: int | None = None
    top_unit_code: str = ""
    top_unit_name: str = ""


def viewer_stamp(user, company_id: int | None) -> ViewerStamp:
    """The company the viewer looks at (``stations.viewer.viewed_company_id``: checked
    against their scope), their station in it, their top unit, and a stamp of the
    company's published runs and marks, in one plain query: the cache key of pages every
    employee opens (the homepage widget), read on each of their requests."""
    user_id = user.pk if user.is_authenticated else None
    tables = {
        "company": Company._meta.db_table,
        "county": County._meta.db_table,
        "station": Station._meta.db_table,
        "member": StationMember._meta.db_table,
        "run": ScoreRun._meta.db_table,
        "marks": SensitivityRun._meta.db_table,
        "close": MonthClose._meta.db_table,
        "unit": OrgUnit._meta.db_table,
        "orgmember": OrgMember._meta.db_table,
    }
    sql = """
        SELECT c.id, m.station_id, own.code, own.name, top.id, top.code, top.name,
          (SELECT COUNT(*) FROM {run} r WHERE r.company_id = c.id AND r.is_current),
          (SELECT SUM(r.id) FROM {run} r WHERE r.company_id = c.id AND r.is_current),
          (SELECT MAX(r.published_at) FROM {run} r WHERE r.company_id = c.id AND r.is_current),
          (SELECT MAX(s.id) FROM {marks} s JOIN {run} r ON r.id = s.run_id
            WHERE r.company_id = c.id),
          (SELECT COUNT(*) FROM {close} mc WHERE mc.company_id = c.id),
          (SELECT COUNT(*) FROM {close} mc WHERE mc.company_id = c.id
            AND mc.state = 'provisional')
        FROM {company} c
        LEFT JOIN {member} m ON m.user_id = %s AND m.station_id IN (
          SELECT st.id FROM {station} st JOIN {county} co ON co.id = st.county_id
          WHERE co.company_id = c.id)
        LEFT JOIN {station} own ON own.id = m.station_id
        LEFT JOIN {unit} top ON top.id = (
          SELECT u.id FROM {unit} u
          WHERE (%s AND u.parent_id IS NULL)
            OR u.id IN (SELECT om.unit_id FROM {orgmember} om WHERE om.user_id = %s)
          ORDER BY u.code LIMIT 1)
        WHERE c.id = %s
    """.format(**tables)
    if company_id is None:
        return ViewerStamp(None, None, ())
    # The top unit: a superuser's first root unit, else the unit they are a member of.
    superuser = bool(getattr(user, "is_superuser", False))
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, superuser, user_id, company_id])
        row = cursor.fetchone()
    if row is None:
        return ViewerStamp(None, None, ())
    published = tuple(str(value) for value in row[7:])
    return ViewerStamp(
        row[0], row[1], published, row[2] or "", row[3] or "", row[4], row[5] or "", row[6] or ""
    )


def opening_period(runs: list[ScoreRun]) -> date | None:
    """The month the pages open on: the newest whose scores grade at least one station
    (a month with only a first trickle of data does not take over the home page)."""
    graded = next((run.period for run in runs if run.graded_count), None)
    return graded or (runs[0].period if runs else None)


def periods_with_data(company_id: int, since: date | None = None) -> list[date]:
    values = IndicatorValue.objects.filter(station__county__company_id=company_id)
    if since is not None:
        values = values.filter(period__gte=since)
    return sorted(set(values.values_list("period", flat=True).distinct()))


def periods_by_company(company_ids: list[int], since: date | None = None) -> dict[int, list[date]]:
    """``periods_with_data`` of many companies (by id) in one query."""
    values = IndicatorValue.objects.filter(station__county__company_id__in=company_ids)
    if since is not None:
        values = values.filter(period__gte=since)
    found: dict[int, list[date]] = {}
    pairs = values.values_list("station__county__company_id", "period").distinct()
    for company_id, period in sorted(pairs):
        found.setdefault(company_id, []).append(period)
    return found


def _current_run_ids(company_id: int, period: date):
    """The month's shown run as a subquery: its rows are then found by the run index
    (filtering on the joined run's columns makes PostgreSQL scan every month's rows)."""
    return ScoreRun.objects.filter(company_id=company_id, period=period, is_current=True).values(
        "pk"
    )


def month_rows(company_id: int, period: date):
    """Every row of the month's shown run."""
    return StationScore.objects.filter(run__in=_current_run_ids(company_id, period))


def current_scores(company_id: int, period: date, county_id: int | None = None):
    """The shown result of a month (optionally one county's): current-run scores
    with station and county, best rank first."""
    scores = month_rows(company_id, period)
    if county_id:
        scores = scores.filter(station__county_id=county_id)
    return scores.select_related("station__county").order_by(
        F("rank").asc(nulls_last=True), "station__sort_key", "station__code"
    )


# --- Grade counts: what the recompute counted once per run ------------------------


def run_grade_counts(
    run_ids: Iterable[int], county_id: int | None = None
) -> dict[int, dict[str, int]]:
    """Stations per grade in each run, in the whole company or in one county:
    ``{run id: {grade code: stations}}``, every grade of ``ALL_GRADES`` present (0 when
    none). One query of a few rows per run: the counts stored with the run's scores
    (``RunGradeCount``); a run stored without them is counted from its scores. Only the
    run's own rows count: a station added since the run is not in it."""
    run_ids = list(run_ids)
    counts = {run_id: dict.fromkeys(ALL_GRADES, 0) for run_id in run_ids}
    scope = Q(county_id=county_id) if county_id else Q(county__isnull=True)
    stored = RunGradeCount.objects.filter(
        Q(county__isnull=True) | scope, run_id__in=run_ids
    ).values_list("run_id", "county_id", "grade", "stations")
    counted = set()
    for run_id, row_county, grade, stations in stored:
        counted.add(run_id)
        if row_county == county_id:
            counts[run_id][grade] = counts[run_id].get(grade, 0) + stations
    missing = [run_id for run_id in run_ids if run_id not in counted]
    if missing:
        rows = StationScore.objects.filter(run_id__in=missing)
        if county_id:
            rows = rows.filter(station__county_id=county_id)
        for run_id, grade, stations in (
            rows.values_list("run_id", "grade").annotate(n=Count("id")).order_by()
        ):
            counts[run_id][grade] = counts[run_id].get(grade, 0) + stations
    return counts


def current_grade_counts(
    company_id: int, county_id: int | None = None
) -> dict[date, dict[str, int]]:
    """``run_grade_counts`` of each month's shown run, by month, oldest first (two
    queries whatever the company's size)."""
    runs = dict(
        ScoreRun.objects.filter(company_id=company_id, is_current=True)
        .order_by("period")
        .values_list("pk", "period")
    )
    by_run = run_grade_counts(runs, county_id)
    return {period: by_run[run_id] for run_id, period in runs.items()}


# --- The indicators page: each company's current weights, what retiring touches -----


@dataclass(frozen=True)
class WeightColumn:
    """A company's weight version governing the current month (None: it has none)."""

    company: Company
    weight_set: WeightSet | None


@dataclass(frozen=True)
class IndicatorListRow:
    indicator: Indicator
    in_force_now: bool
    #: The indicator's weight in each column's version (None: not in that version).
    weights: list[Decimal | None]
    #: Its share of each column's total weight, in percent (None: not in that version).
    shares: list[float | None]

    @property
    def cells(self) -> list[tuple[Decimal | None, float | None]]:
        return list(zip(self.weights, self.shares, strict=True))

    @property
    def weighted(self) -> bool:
        """Whether any current weight version gives it a weight above 0."""
        return any(weight for weight in self.weights)


def indicator_list(today: date) -> tuple[list[WeightColumn], list[IndicatorListRow]]:
    """Every indicator, retired ones too, with its weight in each company's weight
    version of the current month."""
    this_month = month_start(today)
    columns = []
    for company in Company.objects.order_by("pk"):
        try:
            weight_set = effective_weight_set(company.pk, this_month)
        except NoWeightsError:
            weight_set = None
        columns.append(WeightColumn(company, weight_set))
    weights = {
        (weight_set_id, indicator_id): weight
        for weight_set_id, indicator_id, weight in Weight.objects.filter(
            weight_set__in=[column.weight_set for column in columns if column.weight_set]
        ).values_list("weight_set_id", "indicator_id", "weight")
    }
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    by_column = [
        {
            indicator.pk: weights.get((column.weight_set.pk, indicator.pk))
            if column.weight_set
            else None
            for indicator in indicators
        }
        for column in columns
    ]
    # The share that counts this month: over the indicators in force (as the engine does).
    in_force = {indicator.pk for indicator in indicators if indicator.in_force(this_month)}
    shares = [
        weight_shares({pk: weight for pk, weight in column.items() if pk in in_force})
        for column in by_column
    ]
    rows = [
        IndicatorListRow(
            indicator=indicator,
            in_force_now=indicator.in_force(this_month),
            weights=[column[indicator.pk] for column in by_column],
            shares=[column.get(indicator.pk) for column in shares],
        )
        for indicator in indicators
    ]
    return columns, rows


@dataclass(frozen=True)
class RetirementEffects:
    """What retiring an indicator from a month touches (shown before it is confirmed)."""

    #: Values already stored for that month and later: kept, but no longer read.
    stored_values: int
    #: Months already scored with the indicator from then on: they keep their grades
    #: until they are recomputed.
    scored_months: list[date]


def retirement_effects(indicator: Indicator, retired_from: date) -> RetirementEffects:
    scored = (
        ScoreRun.objects.filter(
            is_current=True,
            period__gte=retired_from,
            method_params__directions__has_key=indicator.code,
        )
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )
    return RetirementEffects(
        stored_values=IndicatorValue.objects.filter(
            indicator=indicator, period__gte=retired_from
        ).count(),
        scored_months=list(scored),
    )


# --- Re-grades: what a month's pages say when its published grades were re-graded ------


@dataclass(frozen=True)
class RegradeNote:
    """A published month whose grades replaced grades under other versions: when, and
    the weight and method versions after and before (None: the default method)."""

    period: date
    at: datetime | None
    weights: int | None
    method: int | None
    weights_before: int | None
    method_before: int | None


def regrade_note(company_id: int, period: date) -> RegradeNote | None:
    """The re-grade the month's published grades stand on, if any (one query): the
    newest re-grade published up to the current run, when the current run is graded
    under the same versions (new data after a re-grade keeps it; a later re-grade, or a
    return to the old versions, is the one told)."""
    runs = list(
        ScoreRun.objects.filter(company_id=company_id, period=period)
        .filter(Q(is_current=True) | Q(regraded_from__isnull=False))
        .select_related(
            "weight_set",
            "method_version",
            "regraded_from__weight_set",
            "regraded_from__method_version",
        )
        .order_by("-pk")
    )
    current = next((run for run in runs if run.is_current), None)
    if current is None:
        return None
    regrade = next(
        (run for run in runs if run.pk <= current.pk and run.regraded_from_id is not None), None
    )
    if regrade is None or not regrade.same_versions(current):
        return None
    before = regrade.regraded_from
    assert before is not None  # selected for having one
    return RegradeNote(
        period=period,
        at=regrade.published_at,
        weights=_version_number(regrade.weight_set),
        method=_version_number(regrade.method_version),
        weights_before=_version_number(before.weight_set),
        method_before=_version_number(before.method_version),
    )


def _version_number(version: WeightSet | MethodVersion | None) -> int | None:
    return version.version if version is not None else None
