"""The audit entries about a unit's common version name their unit (``AuditEntry.unit``,
audit 0010), so that they are read by the readers that version governs, not by every
administrator (``audit.visibility``). Entries made before: the unit of the version they
are about, or, for a version deleted since, the unit their stored values name when exactly
one unit has that name (else none: superusers and their author still read them)."""

from django.db import migrations

VERSIONS = {"scoring.weightset": "WeightSet", "scoring.methodversion": "MethodVersion"}


def name_units(apps, schema_editor):
    entries = apps.get_model("audit", "AuditEntry")
    units = apps.get_model("stations", "OrgUnit")
    by_name: dict[str, list[int]] = {}
    for pk, name in units.objects.values_list("pk", "name"):
        by_name.setdefault(name, []).append(pk)
    for label, model_name in VERSIONS.items():
        versions = apps.get_model("scoring", model_name)
        owner = dict(versions.objects.filter(unit__isnull=False).values_list("pk", "unit_id"))
        rows = entries.objects.filter(target_type=label, company__isnull=True, unit__isnull=True)
        for entry in rows.only("pk", "target_id", "before", "after"):
            unit_id = owner.get(int(entry.target_id)) if entry.target_id.isdecimal() else None
            if unit_id is None:
                values = entry.after or entry.before
                name = values.get("unit") if isinstance(values, dict) else None
                named = by_name.get(name or "", [])
                unit_id = named[0] if len(named) == 1 else None
            if unit_id is not None:
                entries.objects.filter(pk=entry.pk).update(unit_id=unit_id)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0010_entry_unit"),
        ("scoring", "0012_unit_methods"),
    ]

    operations = [migrations.RunPython(name_units, migrations.RunPython.noop)]
