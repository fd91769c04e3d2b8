"""Roles scoped to a subtree (stations.scope): a user placed nowhere sees no company's
data. Before the organisation tree there was one company and everyone saw it, so an
installation with exactly one company places its users who are neither station staff nor
placed yet (the committee, the administrators) in that company; with several companies
(or none) nobody is guessed: an administrator places them."""

from django.conf import settings
from django.db import migrations


def place_in_the_only_company(apps, schema_editor):
    Company = apps.get_model("stations", "Company")
    OrgMember = apps.get_model("stations", "OrgMember")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    companies = list(Company.objects.all()[:2])
    if len(companies) != 1:
        return
    unplaced = User.objects.filter(
        is_superuser=False, station_membership__isnull=True, org_membership__isnull=True
    )
    OrgMember.objects.bulk_create([OrgMember(user=user, company=companies[0]) for user in unplaced])


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0006_org_tree"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(place_in_the_only_company, migrations.RunPython.noop)]
