from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import ImportSource
from indicators.periods import format_period
from indicators.services import ImportConflict, import_indicator_file
from tabular.defects import FileRejected

LAYOUTS = {"long": gettext_lazy("long"), "wide": gettext_lazy("wide")}


class Command(BaseCommand):
    help = _(
        "Import a month (or months) of indicator values from a CSV or XLSX file, "
        "long form (station_code,period,indicator_code,value) or wide form "
        "(station_code,period,<indicator codes>). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV (UTF-8 or GBK) or XLSX file"))

    def handle(self, *args, file, **options):
        try:
            result = import_indicator_file(file, source=ImportSource.COMMAND_LINE)
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        except ImportConflict as conflict:
            raise CommandError(str(conflict)) from None
        self.stdout.write(
            _("Imported %(values)d values from %(rows)d rows (%(layout)s form) for %(periods)s.")
            % {
                "values": result.batch.value_count,
                "rows": result.batch.row_count,
                "layout": LAYOUTS[result.layout],
                "periods": ", ".join(format_period(p) for p in result.periods),
            }
        )
        if result.empty_cells:
            self.stdout.write(
                _("%(count)d empty cells were read as 'no value reported'.")
                % {"count": result.empty_cells}
            )
        for run in result.runs:
            run.refresh_from_db()
            self.stdout.write("  " + run.status_line())
