from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.exports import score_export_frame
from scoring.selectors import current_run


class Command(BaseCommand):
    help = _(
        "Write a month's scores as CSV: station_code, station_name, county, period, score, "
        "rank, grade, coverage, ungraded_reason and each indicator's normalised score."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=period_argument, help="YYYY-MM")
        parser.add_argument("--output", help=_("file to write (default: standard output)"))
        parser.add_argument("--company")

    def handle(self, *args, period, output, company, **options):
        company = company_or_error(company)
        if current_run(company.pk, period) is None:
            raise CommandError(
                _(
                    "%(period)s has not been scored yet; "
                    "run: manage.py recompute --period %(period)s"
                )
                % {"period": format_period(period)}
            )
        frame = score_export_frame(company.pk, period)
        if output:
            try:
                frame.to_csv(output, index=False, encoding="utf-8", lineterminator="\n")
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error}
                ) from None
            self.stderr.write(
                _("Wrote %(count)d stations to %(file)s") % {"count": len(frame), "file": output}
            )
        else:
            self.stdout.write(frame.to_csv(index=False, lineterminator="\n"), ending="")
