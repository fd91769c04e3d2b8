"""Absolute scoring becomes the default, and no month is silently re-graded by it.

Until now a company without a method version was graded by the code's default, min-max
normalisation with 20 % quotas (a league table). That default is now absolute scoring,
so the months graded the old way must keep saying so:

1. Each company with runs that have no method version gets a version holding the old
   default, frozen below (effective 2000-01-01, the next version number), and those runs
   point to it. Their stored parameters are not touched, and no run is created or
   recomputed. A company with versions from later months gets it for the months before.
2. Each company that still has no version gets version 1: absolute scoring against the
   seeded targets (``scoring/targets.py`` as of this migration, frozen below), as a new
   company does.

Reversing deletes the versions made here (found by their reason) and clears the runs'
link to them.
"""

from datetime import date

from django.db import migrations, models

FROM = date(2000, 1, 1)

#: ``ScoringMethod().as_record()`` before absolute scoring became the default.
LEAGUE_TABLE_RECORD = {
    "normalisation": "minmax",
    "winsor_pct": None,
    "goalposts": {},
    "zscore_clip_sd": 3.0,
    "missing": {},
    "carry_forward_months": 3,
    "coverage_min_pct": 80.0,
    "grading": "quotas",
    "quotas_pct": [20, 20, 20, 20, 20],
    "thresholds": [90.0, 80.0, 70.0, 60.0],
    "peer_groups": False,
    "caps": [],
    "decimals": 2,
}

#: ``scoring.targets.SEED_TARGETS`` at this migration: code → (floor, target).
SEED_TARGETS = {
    "safety": (60.0, 98.0),
    "fault_outage": (8.0, 0.5),
    "frequent_outage": (10.0, 0.5),
    "line_loss": (9.0, 3.0),
    "customer_satisfaction": (80.0, 98.0),
    "getting_electricity": (70.0, 98.0),
    "party_building": (70.0, 98.0),
    "integrity_risk": (25.0, 2.0),
    "financial": (70.0, 105.0),
    "team_performance": (70.0, 110.0),
}
SEED_THRESHOLDS = [90.0, 80.0, 70.0, 60.0]

LEAGUE_TABLE_REASON = (
    "These months were graded as a league table (min-max, 20 % per colour) before "
    "absolute scoring became the default; recorded so that they keep that method."
)
ABSOLUTE_REASON = (
    "Absolute scoring against the seeded targets: the default for a company without "
    "a method when absolute scoring became the default."
)


def absolute_record(active_codes: set[str]) -> dict:
    """The default (absolute) method with the seeded goalposts of the active indicators."""
    goalposts = {
        code: [min(pair), max(pair)]
        for code, pair in sorted(SEED_TARGETS.items())
        if code in active_codes
    }
    return {
        **LEAGUE_TABLE_RECORD,
        "normalisation": "goalposts",
        "goalposts": goalposts,
        "grading": "thresholds",
        "thresholds": SEED_THRESHOLDS,
    }


def next_version(MethodVersion, company_id: int) -> int:
    latest = MethodVersion.objects.filter(company_id=company_id).aggregate(models.Max("version"))
    return (latest["version__max"] or 0) + 1


def record_methods(apps, schema_editor):
    Company = apps.get_model("stations", "Company")
    Indicator = apps.get_model("indicators", "Indicator")
    MethodVersion = apps.get_model("scoring", "MethodVersion")
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    unrecorded = ScoreRun.objects.filter(method_version__isnull=True)
    for company_id in sorted(set(unrecorded.values_list("company_id", flat=True))):
        version = MethodVersion.objects.create(
            company_id=company_id,
            version=next_version(MethodVersion, company_id),
            effective_from=FROM,
            params=LEAGUE_TABLE_RECORD,
            reason=LEAGUE_TABLE_REASON,
        )
        unrecorded.filter(company_id=company_id).update(method_version=version)
    absolute = absolute_record(set(Indicator.objects.filter(active=True).values_list("code", flat=True)))
    for company in Company.objects.filter(method_versions__isnull=True).order_by("pk"):
        MethodVersion.objects.create(
            company=company, version=1, effective_from=FROM, params=absolute, reason=ABSOLUTE_REASON
        )


def forget_methods(apps, schema_editor):
    MethodVersion = apps.get_model("scoring", "MethodVersion")
    ScoreRun = apps.get_model("scoring", "ScoreRun")
    made_here = MethodVersion.objects.filter(
        reason__in=[LEAGUE_TABLE_REASON, ABSOLUTE_REASON], created_by__isnull=True
    )
    ScoreRun.objects.filter(method_version__in=made_here).update(method_version=None)
    made_here.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_run_heartbeat_and_used_previews"),
        ("indicators", "0007_import_job_heartbeat"),
        ("stations", "0005_station_code_characters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scorerun",
            name="method_version",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: a run stored before its company had method versions; its parameters say how it was scored.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="runs",
                to="scoring.methodversion",
                verbose_name="method version",
            ),
        ),
        migrations.RunPython(record_methods, forget_methods),
    ]
