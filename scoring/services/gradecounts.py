"""A run's grade counts (``RunGradeCount``), written once with its scores."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from scoring.models import RunGradeCount, StationScore


def record_grade_counts(run_id: int) -> None:
    """Count the run's stored scores per grade, per county and in all (one aggregate
    query and one insert). Called once the run's scores are written; running it again
    writes the same rows."""
    per_county = (
        StationScore.objects.filter(run_id=run_id)
        .values_list("station__county_id", "grade")
        .annotate(stations=Count("id"))
        .order_by()
    )
    in_all: Counter[str] = Counter()
    rows = []
    for county_id, grade, stations in per_county:
        in_all[grade] += stations
        rows.append(
            RunGradeCount(run_id=run_id, county_id=county_id, grade=grade, stations=stations)
        )
    rows += [
        RunGradeCount(run_id=run_id, county_id=None, grade=grade, stations=stations)
        for grade, stations in in_all.items()
    ]
    RunGradeCount.objects.filter(run_id=run_id).delete()
    RunGradeCount.objects.bulk_create(rows)
