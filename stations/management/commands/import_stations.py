from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations.services import CompanyChoiceError, import_stations
from tabular.defects import FileRejected


class Command(BaseCommand):
    help = _(
        "Create or update stations from a CSV with the columns "
        "code,name,county,latitude,longitude,staff_count (optional: active)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--company",
            help=_("Company name (default: the only one; created if the database has none)."),
        )

    def handle(self, *args, file, company, **options):
        try:
            result = import_stations(file, company_name=company)
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        except CompanyChoiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "%(company)s: %(created)d stations created, %(updated)d updated, "
                "%(counties)d new counties."
            )
            % {
                "company": result.company.name,
                "created": result.created,
                "updated": result.updated,
                "counties": result.counties_created,
            }
        )
        if result.deactivated or result.reactivated:
            self.stdout.write(
                _("%(off)d stations switched off, %(on)d switched on again.")
                % {"off": result.deactivated, "on": result.reactivated}
            )
