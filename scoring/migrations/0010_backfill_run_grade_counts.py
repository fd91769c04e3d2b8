"""Count the grades of every run stored before ``RunGradeCount`` existed."""

from collections import Counter

from django.db import migrations
from django.db.models import Count


def backfill(apps, schema_editor):
    StationScore = apps.get_model("scoring", "StationScore")
    RunGradeCount = apps.get_model("scoring", "RunGradeCount")
    counted = RunGradeCount.objects.values("run_id")
    per_county = (
        StationScore.objects.exclude(run_id__in=counted)
        .values_list("run_id", "station__county_id", "grade")
        .annotate(stations=Count("id"))
        .order_by()
    )
    in_all: Counter = Counter()
    rows = []
    for run_id, county_id, grade, stations in per_county.iterator(chunk_size=5000):
        in_all[(run_id, grade)] += stations
        rows.append(
            RunGradeCount(run_id=run_id, county_id=county_id, grade=grade, stations=stations)
        )
    rows += [
        RunGradeCount(run_id=run_id, county_id=None, grade=grade, stations=stations)
        for (run_id, grade), stations in in_all.items()
    ]
    RunGradeCount.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0009_run_grade_counts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
