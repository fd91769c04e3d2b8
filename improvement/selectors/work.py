"""What is being done for each station: measures, pairings, help, projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from improvement.models import (
    CLOSED_STATUSES,
    ENDED_PROJECT_STATUSES,
    BranchPairing,
    CheckIn,
    DepartmentHelp,
    Measure,
    MeasureIndicator,
    ProjectStatus,
    SecretaryProject,
)
from indicators.periods import add_months, month_start


@dataclass
class StationWork:
    """What is being done for a station: open measures, pairings and help that have not
    ended, active secretary projects."""

    measures: list[Measure] = field(default_factory=list)
    pairings: list[BranchPairing] = field(default_factory=list)
    help: list[DepartmentHelp] = field(default_factory=list)
    projects: list[SecretaryProject] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.measures or self.pairings or self.help or self.projects)

    def covers(self, code: str) -> bool:
        """Whether some open measure, help or project works on the indicator."""
        return (
            any(code in measure.indicator_codes for measure in self.measures)
            or any(item.indicator.code == code for item in self.help)
            or any(project.indicator.code == code for project in self.projects)
        )


def measures_with_indicators():
    """Measures with their indicator links (and causes) in two queries."""
    links = MeasureIndicator.objects.select_related("indicator").order_by(
        "indicator__display_order"
    )
    return Measure.objects.prefetch_related(Prefetch("links", queryset=links))


def work_by_station(station_ids: list[int], period: date) -> dict[int, StationWork]:
    """Each station's work as of ``period`` (``current_measures``, ``current_projects``, the
    pairings and help ``current`` in the month), so that a month's review reads the same
    later as on the day."""
    work = {station_id: StationWork() for station_id in station_ids}
    for station_id, found in _current_work(period, station_ids=station_ids).items():
        work[station_id] = found
    return work


def company_work(company_id: int, period: date) -> dict[int, StationWork]:
    """The work as of ``period`` (as ``work_by_station``) of every station of the company
    that has some: read by the records there are, not by the stations, so a month's pages
    know which weak stations are attended whatever the size of the company."""
    return _current_work(period, company_id=company_id)


def _current_work(
    period: date, *, station_ids: list[int] | None = None, company_id: int | None = None
) -> dict[int, StationWork]:
    """The work of the given stations, or of the company's, by station (only stations
    with work)."""
    work: dict[int, StationWork] = {}
    for measure in current_measures(station_ids, period, company_id=company_id):
        work.setdefault(measure.station_id, StationWork()).measures.append(measure)
    pairings = BranchPairing.objects.current(period).select_related(
        "weak_station", "strong_station"
    )
    help_rows = DepartmentHelp.objects.current(period).select_related("indicator")
    if station_ids is not None:
        pairings = pairings.filter(
            Q(weak_station_id__in=station_ids) | Q(strong_station_id__in=station_ids)
        )
        help_rows = help_rows.filter(station_id__in=station_ids)
    if company_id is not None:
        pairings = pairings.filter(
            Q(weak_station__county__company_id=company_id)
            | Q(strong_station__county__company_id=company_id)
        )
        help_rows = help_rows.filter(station__county__company_id=company_id)
    wanted = None if station_ids is None else set(station_ids)
    for pairing in pairings.order_by("start_month", "pk"):
        for station_id in (pairing.weak_station_id, pairing.strong_station_id):
            if wanted is None or station_id in wanted:
                work.setdefault(station_id, StationWork()).pairings.append(pairing)
    for item in help_rows.order_by("start_month", "pk"):
        work.setdefault(item.station_id, StationWork()).help.append(item)
    for project, _ended in current_projects(period, station_ids=station_ids, company_id=company_id):
        work.setdefault(project.station_id, StationWork()).projects.append(project)
    return work


def closing_months(check_ins) -> dict[int, date]:
    """The month each measure or project was closed in: its last check-in that set a
    closed status (``check_ins`` filtered to those), by measure or project id."""
    closed: dict[int, date] = {}
    rows = check_ins.order_by("created_at", "pk").values_list(
        "measure_id", "project_id", "created_at"
    )
    for measure_id, project_id, created_at in rows:
        closed[measure_id or project_id] = month_start(timezone.localdate(created_at))
    return closed


def current_measures(
    station_ids: list[int] | None, period: date, *, company_id: int | None = None
) -> list[Measure]:
    """The measures being worked on as of ``period`` (of the given stations, or of the
    company's): based on the grades of that month or before, and open, or closed in that
    month or later (by the check-in that closed it; one closed without such a check-in
    counts as closed before)."""
    chosen = measures_with_indicators().filter(based_on__lte=period)
    if station_ids is not None:
        chosen = chosen.filter(station_id__in=station_ids)
    if company_id is not None:
        chosen = chosen.filter(station__county__company_id=company_id)
    measures = list(chosen.order_by("due_month", "pk"))
    closed_ids = [measure.pk for measure in measures if not measure.is_open]
    closed = (
        closing_months(
            CheckIn.objects.filter(measure__in=closed_ids, new_status__in=CLOSED_STATUSES)
        )
        if closed_ids
        else {}
    )
    found = []
    for measure in measures:
        ended = closed.get(measure.pk)
        if measure.is_open or (ended is not None and ended >= period):
            measure.indicator_codes = [link.indicator.code for link in measure.links.all()]
            found.append(measure)
    return found


def current_projects(
    period: date, *, station_ids: list[int] | None = None, company_id: int | None = None
) -> list[tuple[SecretaryProject, date | None]]:
    """The secretary projects running as of ``period`` with the month each ended in (None:
    still active): begun by the month after (one started at the month's review counts)
    and not ended before the month. A project ends with the check-in that set it
    completed or stopped; one ended without such a check-in is not listed."""
    chosen = SecretaryProject.objects.filter(start_month__lte=add_months(period, 1))
    if station_ids is not None:
        chosen = chosen.filter(station_id__in=station_ids)
    if company_id is not None:
        chosen = chosen.filter(station__county__company_id=company_id)
    projects = list(
        chosen.select_related("station__county", "indicator", "secretary").order_by(
            "station__code", "start_month", "pk"
        )
    )
    ended_ids = [project.pk for project in projects if project.status != ProjectStatus.ACTIVE]
    ended = (
        closing_months(
            CheckIn.objects.filter(project__in=ended_ids, new_status__in=ENDED_PROJECT_STATUSES)
        )
        if ended_ids
        else {}
    )
    return [
        (project, ended.get(project.pk))
        for project in projects
        if project.status == ProjectStatus.ACTIVE
        or (ended.get(project.pk) is not None and ended[project.pk] >= period)
    ]


def station_records(station_id: int) -> StationWork:
    """Every measure, pairing, help and project a station ever had (newest first), for its
    page: what was done next to how its colour moved."""
    measures = list(
        measures_with_indicators().filter(station_id=station_id).order_by("-based_on", "-pk")
    )
    for measure in measures:
        measure.indicator_codes = [link.indicator.code for link in measure.links.all()]
    return StationWork(
        measures=measures,
        pairings=list(
            BranchPairing.objects.filter(
                Q(weak_station_id=station_id) | Q(strong_station_id=station_id)
            )
            .select_related("weak_station", "strong_station")
            .order_by("-start_month", "-pk")
        ),
        help=list(
            DepartmentHelp.objects.filter(station_id=station_id)
            .select_related("indicator")
            .order_by("-start_month", "-pk")
        ),
        projects=list(
            SecretaryProject.objects.filter(station_id=station_id)
            .select_related("indicator", "secretary")
            .order_by("-start_month", "-pk")
        ),
    )


def work_started(work: StationWork) -> dict[date, list[tuple[str, object]]]:
    """Month → (kind, record) of the work that began that month: a measure the month
    after the grades that prompted it, the others in their first month."""
    started: dict[date, list[tuple[str, object]]] = {}
    for measure in work.measures:
        started.setdefault(add_months(measure.based_on, 1), []).append(("measure", measure))
    for pairing in work.pairings:
        started.setdefault(pairing.start_month, []).append(("pairing", pairing))
    for item in work.help:
        started.setdefault(item.start_month, []).append(("help", item))
    for project in work.projects:
        started.setdefault(project.start_month, []).append(("project", project))
    return started
