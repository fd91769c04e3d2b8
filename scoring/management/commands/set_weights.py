from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.services import create_weight_set, months_governed_by
from scoring.weightfile import parse_weight_table
from tabular.defects import FileRejected
from tabular.reading import limits_from_settings, read_table


class Command(BaseCommand):
    help = _(
        "Save a new version of the indicator weights from a CSV (indicator_code,weight), "
        "effective from a month; the weights must sum to 100."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--effective-from", required=True, type=period_argument)
        parser.add_argument("--reason", default="", help=_("Why the weights change."))
        parser.add_argument("--company")

    def handle(self, *args, file, effective_from, reason, company, **options):
        company = company_or_error(company)
        codes = list(Indicator.objects.filter(active=True).values_list("code", flat=True))
        try:
            table = read_table(file, limits_from_settings())
            weights = parse_weight_table(table, Path(file).name, indicator_codes=codes)
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        weight_set = create_weight_set(
            company=company,
            weights=weights,
            effective_from=effective_from,
            reason=reason or _("set_weights from %s") % file,
        )
        months = months_governed_by(weight_set)
        self.stdout.write(
            _("Saved weight version %(version)d, effective from %(period)s.")
            % {"version": weight_set.version, "period": format_period(effective_from)}
        )
        self.stdout.write(
            _("Recompute requested for %(count)d months: %(months)s")
            % {"count": len(months), "months": ", ".join(format_period(m) for m in months) or "-"}
        )
