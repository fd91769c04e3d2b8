"""Count the grades of every run stored before ``RunGradeCount`` existed (two
INSERT … SELECT statements: per county, and in all)."""

from django.db import migrations


def backfill(apps, schema_editor):
    counts = apps.get_model("scoring", "RunGradeCount")._meta.db_table
    scores = apps.get_model("scoring", "StationScore")._meta.db_table
    stations = apps.get_model("stations", "Station")._meta.db_table
    quote = schema_editor.quote_name
    counts, scores, stations = quote(counts), quote(scores), quote(stations)
    schema_editor.execute(
        f"""INSERT INTO {counts} (run_id, county_id, grade, stations)
        SELECT s.run_id, st.county_id, s.grade, COUNT(*)
        FROM {scores} s JOIN {stations} st ON st.id = s.station_id
        WHERE s.run_id NOT IN (SELECT run_id FROM {counts})
        GROUP BY s.run_id, st.county_id, s.grade"""
    )
    schema_editor.execute(
        f"""INSERT INTO {counts} (run_id, county_id, grade, stations)
        SELECT run_id, NULL, grade, SUM(stations) FROM {counts}
        WHERE county_id IS NOT NULL AND run_id NOT IN (
            SELECT run_id FROM {counts} WHERE county_id IS NULL)
        GROUP BY run_id, grade"""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0009_run_grade_counts"),
        ("stations", "0005_station_code_characters"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
