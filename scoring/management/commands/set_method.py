from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.methodfile import read_method
from scoring.services import create_method_version, months_governed_by


class Command(BaseCommand):
    help = _(
        "Save a new version of the scoring method from a JSON file (normalisation, "
        "missing-data policies, grading, peer groups, caps), effective from a month. "
        "Months before it keep the method they were scored with."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--effective-from", required=True, type=period_argument)
        parser.add_argument("--reason", default="", help=_("Why the method changes."))
        parser.add_argument("--company")

    def handle(self, *args, file, effective_from, reason, company, **options):
        company = company_or_error(company)
        codes = set(Indicator.objects.values_list("code", flat=True))
        method = read_method(file, codes)
        version = create_method_version(
            company=company,
            method=method,
            effective_from=effective_from,
            reason=reason or _("set_method from %s") % file,
        )
        months = months_governed_by(version)
        self.stdout.write(
            _("Saved method version %(version)d (%(label)s), effective from %(period)s.")
            % {
                "version": version.version,
                "label": method.label,
                "period": format_period(effective_from),
            }
        )
        self.stdout.write(
            _("Recompute requested for %(count)d months: %(months)s")
            % {"count": len(months), "months": ", ".join(format_period(m) for m in months) or "-"}
        )
