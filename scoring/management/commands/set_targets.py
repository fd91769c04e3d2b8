from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import VersionCommand, period_argument
from scoring.goalposts import relative_method_error, with_targets
from scoring.selectors import method_in_force, unit_method_in_force
from scoring.services import create_method_version, publish_unit_method
from scoring.targetfile import parse_target_table
from stations.models import OrgUnit
from tabular.defects import FileRejected
from tabular.reading import limits_from_settings, read_table


class Command(VersionCommand):
    help = _(
        "Save new targets and floors from a CSV or XLSX file (indicator_code,floor,target) "
        "as a new version of the scoring method, effective from a month: the method in "
        "force then, with these indicators' goalposts replaced. An indicator not listed "
        "keeps its target. The file is checked whole: nothing is saved if any line is wrong."
    )
    reason_help = gettext_lazy("Why the targets change.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--from",
            "--effective-from",
            dest="effective_from",
            required=True,
            type=period_argument,
            help=gettext_lazy("The first month (YYYY-MM) graded with these targets."),
        )
        parser.add_argument("--reason", default="", help=self.reason_help)
        self.add_owner_arguments(parser)

    def save_version(self, *, owner, file, effective_from, reason):
        indicators = list(Indicator.objects.filter(active=True))
        retired = set(Indicator.objects.filter(active=False).values_list("code", flat=True))
        try:
            table = read_table(file, limits_from_settings())
            targets = parse_target_table(
                table, Path(file).name, indicators=indicators, retired=retired
            )
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        unit = owner if isinstance(owner, OrgUnit) else None
        # The method in force at the month (a unit's: its common rules), targets replaced.
        in_force = (
            unit_method_in_force(unit, effective_from)
            if unit
            else method_in_force(owner.pk, effective_from)
        )
        refusal = relative_method_error(in_force, format_period(effective_from))
        if refusal:
            raise CommandError(refusal + " " + _("Nothing was saved."))
        method = with_targets(in_force, targets)
        reason = reason or _("set_targets from %s") % file
        # As set_method: the command line publishes the re-grade at once.
        if unit:
            version = publish_unit_method(
                unit=unit, method=method, effective_from=effective_from, reason=reason
            )
        else:
            version = create_method_version(
                company=owner, method=method, effective_from=effective_from, reason=reason
            )
        saved = _(
            "Saved the targets of %(count)d indicators as method version %(version)d "
            "(%(label)s), effective from %(period)s."
        ) % {
            "count": len(targets),
            "version": version.version,
            "label": method.label,
            "period": format_period(effective_from),
        }
        return version, saved
