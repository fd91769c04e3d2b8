"""Responsible departments of the ten standard indicators, and a retirement month for
any indicator that was switched off before indicators had months.

Like 0002, this list is frozen here: later changes are made by admins on the
indicators page. A department already filled in is left as it is.
"""

from django.db import migrations
from django.utils import timezone

# code, department, English department
DEPARTMENTS = [
    ("safety", "安全监察部", "Safety Supervision Dept"),
    ("fault_outage", "运维检修部", "Operations & Maintenance Dept"),
    ("frequent_outage", "运维检修部", "Operations & Maintenance Dept"),
    ("line_loss", "发展策划部", "Development Planning Dept"),
    ("customer_satisfaction", "营销部", "Marketing Dept"),
    ("getting_electricity", "营销部", "Marketing Dept"),
    ("party_building", "党建工作部", "Party Building Dept"),
    ("integrity_risk", "纪委办公室", "Discipline Inspection Office"),
    ("financial", "财务资产部", "Finance Dept"),
    ("team_performance", "人力资源部", "Human Resources Dept"),
]


def forwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, department, department_en in DEPARTMENTS:
        Indicator.objects.filter(code=code, department="").update(
            department=department, department_en=department_en
        )
    # "active" now means "no retirement month set" (a constraint in 0005). An indicator
    # switched off before then stops counting from this month: months before keep it,
    # as they did when it was scored.
    today = timezone.localdate()
    Indicator.objects.filter(active=False, retired_from__isnull=True).update(
        retired_from=today.replace(day=1),
        retirement_reason="Inactive before indicators had months in force",
    )


def backwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, department, department_en in DEPARTMENTS:
        Indicator.objects.filter(
            code=code, department=department, department_en=department_en
        ).update(department="", department_en="")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_indicator_department_and_months")]

    operations = [migrations.RunPython(forwards, backwards)]
