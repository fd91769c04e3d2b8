"""The summary (medians, ranges, grade thresholds) of runs stored before it existed.

Derived from what each run recorded (its scores, directions and quotas) and the
month's raw values as they are now; no score, rank or grade is touched.
"""

import pandas as pd
from django.db import migrations, models

from scoring.engine import ScoringMethod, month_summary

#: The method every run of that time was scored with (min-max, quotas), frozen here:
#: the code's default has changed since, this migration's meaning must not.
QUOTAS_OF_THAT_TIME = (20, 20, 20, 20, 20)


def backfill(apps, schema_editor):
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    StationScore = apps.get_model("scoring", "StationScore")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    for run_id in list(ScoreRun.objects.filter(status="done").values_list("pk", flat=True)):
        run = ScoreRun.objects.get(pk=run_id)
        scores = list(StationScore.objects.filter(run=run))
        if not scores:
            continue
        ids = [score.station_id for score in scores]
        codes = list(run.method_params.get("directions", {})) or sorted(
            {code for score in scores for code in score.normalised}
        )
        quotas = tuple(run.method_params.get("quotas_pct", QUOTAS_OF_THAT_TIME))
        raw = pd.DataFrame.from_records(
            list(
                IndicatorValue.objects.filter(station_id__in=ids, period=run.period).values_list(
                    "station_id", "indicator__code", "value"
                )
            ),
            columns=["station", "indicator", "value"],
        )
        values = raw.pivot(index="station", columns="indicator", values="value").astype(float)
        values = values.reindex(index=ids, columns=codes)
        score_series = pd.Series([s.score for s in scores], index=ids, dtype=float)
        directions = run.method_params.get("directions", {})
        higher = pd.Series({code: directions.get(code, "higher") == "higher" for code in codes})
        run.summary = month_summary(values, higher, score_series, ScoringMethod(normalisation="minmax", grading="quotas", quotas_pct=quotas))
        run.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
        ("indicators", "0002_seed_indicators"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorerun",
            name="summary",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    "Median score and median of each indicator for the month, and each "
                    "indicator's grade thresholds."
                ),
                verbose_name="company medians",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
