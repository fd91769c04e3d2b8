from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations.orgimport import import_org
from tabular.defects import FileRejected


class Command(BaseCommand):
    help = _(
        "Create or update the organisation tree from a CSV or XLSX file with the columns "
        "code,name,parent_code. A row with a company's code puts that company under its "
        "parent; every other row is a unit above companies."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            result = import_org(file)
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        self.stdout.write(
            _(
                "%(created)d units created, %(changed)d changed, %(moved)d companies moved, "
                "%(unchanged)d rows unchanged."
            )
            % {
                "created": len(result.created),
                "changed": len(result.changed),
                "moved": len(result.moved_companies),
                "unchanged": result.unchanged,
            }
        )
