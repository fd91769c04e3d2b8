"""What is being done for each station: measures, pairings, help, projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q

from improvement.models import (
    OPEN_STATUSES,
    BranchPairing,
    DepartmentHelp,
    Measure,
    MeasureIndicator,
    ProjectStatus,
    SecretaryProject,
)
from indicators.periods import add_months


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
    """Each station's current work as of ``period``: a pairing or help counts until its
    last month has passed (one accepted for next month counts already)."""
    work = {station_id: StationWork() for station_id in station_ids}
    measures = measures_with_indicators().filter(
        station_id__in=station_ids, status__in=OPEN_STATUSES
    )
    for measure in measures.order_by("due_month", "pk"):
        measure.indicator_codes = [link.indicator.code for link in measure.links.all()]
        work[measure.station_id].measures.append(measure)
    pairings = BranchPairing.objects.filter(
        Q(weak_station_id__in=station_ids) | Q(strong_station_id__in=station_ids),
        end_month__gte=period,
    ).select_related("weak_station", "strong_station")
    for pairing in pairings.order_by("start_month", "pk"):
        for station_id in (pairing.weak_station_id, pairing.strong_station_id):
            if station_id in work:
                work[station_id].pairings.append(pairing)
    help_rows = DepartmentHelp.objects.filter(
        station_id__in=station_ids, end_month__gte=period
    ).select_related("indicator")
    for item in help_rows.order_by("start_month", "pk"):
        work[item.station_id].help.append(item)
    projects = SecretaryProject.objects.filter(
        station_id__in=station_ids, status=ProjectStatus.ACTIVE
    ).select_related("indicator", "secretary")
    for project in projects.order_by("start_month", "pk"):
        work[project.station_id].projects.append(project)
    return work


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
