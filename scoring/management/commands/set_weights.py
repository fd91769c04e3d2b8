from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import VersionCommand
from scoring.services import create_weight_set, publish_unit_weights
from scoring.weightfile import parse_weight_table
from stations.models import OrgUnit
from tabular.defects import FileRejected
from tabular.reading import limits_from_settings, read_table


class Command(VersionCommand):
    help = _(
        "Save a new version of the indicator weights from a CSV (indicator_code,weight), "
        "effective from a month. Weights are 0 or more and not all 0; each indicator "
        "counts by its share of the total (1, 1, 1 is a third each)."
    )
    reason_help = gettext_lazy("Why the weights change.")

    def save_version(self, *, owner, file, effective_from, reason):
        codes = list(Indicator.objects.filter(active=True).values_list("code", flat=True))
        try:
            table = read_table(file, limits_from_settings())
            weights = parse_weight_table(table, Path(file).name, indicator_codes=codes)
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        reason = reason or _("set_weights from %s") % file
        if isinstance(owner, OrgUnit):
            weight_set = publish_unit_weights(
                unit=owner, weights=weights, effective_from=effective_from, reason=reason
            )
        else:
            weight_set = create_weight_set(
                company=owner, weights=weights, effective_from=effective_from, reason=reason
            )
        saved = _("Saved weight version %(version)d, effective from %(period)s.") % {
            "version": weight_set.version,
            "period": format_period(effective_from),
        }
        return weight_set, saved
