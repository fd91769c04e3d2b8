"""The improvement work on a station's page (``mapviews.views.station``, registered in
``mapviews.panels`` by ``ImprovementConfig.ready``): its measures,
pairings, help and projects beside its colour history."""

from __future__ import annotations

from improvement.selectors import projects_progress, station_records, work_started
from stations.models import Station
from stations.roles import can_manage_station


def station_work_context(user, station: Station) -> dict:
    """Template variables of the station page's improvement section (the caller checks
    that the user may see the station's detail)."""
    records = station_records(station.pk)
    progress = projects_progress(records.projects)
    return {
        "records": records,
        "project_rows": [(project, progress.get(project.pk)) for project in records.projects],
        "started": work_started(records),
        "can_manage": can_manage_station(user, station),
    }
