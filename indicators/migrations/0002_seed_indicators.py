"""Seed the ten indicators of the five-colour map.

This list is frozen here on purpose: later edits to indicators are data changes
made by admins (and recorded), not edits of this migration.
"""

from django.db import migrations

HIGHER = "higher"
LOWER = "lower"

# code, Chinese name, English name, direction, unit, English unit, lowest, highest valid value
INDICATORS = [
    ("safety", "安全生产指数", "Work safety index", HIGHER, "分", "pts", 0, 100),
    ("fault_outage", "故障停电指数", "Fault outage index", LOWER, "次/百公里", "per 100 km", 0, 100),
    ("frequent_outage", "频繁停电指数", "Frequent outage index", LOWER, "‰", "‰", 0, 1000),
    ("line_loss", "线损管理指数", "Line loss index", LOWER, "%", "%", -10, 100),
    ("customer_satisfaction", "客户满意指数", "Customer satisfaction index", HIGHER, "分", "pts", 0, 100),
    ("getting_electricity", "“获得电力”指数", "Getting electricity index", HIGHER, "分", "pts", 0, 100),
    ("party_building", "党建标准指数", "Party-building standards index", HIGHER, "分", "pts", 0, 100),
    ("integrity_risk", "廉洁风险指数", "Integrity risk index", LOWER, "分", "pts", 0, 100),
    ("financial", "财务绩效指数", "Financial performance index", HIGHER, "分", "pts", 0, 120),
    ("team_performance", "班组绩效指数", "Team performance index", HIGHER, "分", "pts", 0, 120),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for order, (code, zh, en, direction, unit, unit_en, low, high) in enumerate(INDICATORS, 1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "direction": direction,
                "unit": unit,
                "unit_en": unit_en,
                "min_value": low,
                "max_value": high,
                "display_order": order,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=[row[0] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
