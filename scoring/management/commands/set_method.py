from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import VersionCommand
from scoring.methodfile import read_method
from scoring.services import create_method_version, publish_unit_method
from stations.models import OrgUnit


class Command(VersionCommand):
    help = _(
        "Save a new version of the scoring method from a JSON file (normalisation, "
        "missing-data policies, grading, peer groups, caps), effective from a month. "
        "Months before it keep the method they were scored with."
    )
    reason_help = gettext_lazy("Why the method changes.")

    def save_version(self, *, owner, file, effective_from, reason):
        codes = set(Indicator.objects.values_list("code", flat=True))
        method = read_method(file, codes)
        reason = reason or _("set_method from %s") % file
        if isinstance(owner, OrgUnit):
            version = publish_unit_method(
                unit=owner, method=method, effective_from=effective_from, reason=reason
            )
        else:
            version = create_method_version(
                company=owner, method=method, effective_from=effective_from, reason=reason
            )
        saved = _("Saved method version %(version)d (%(label)s), effective from %(period)s.") % {
            "version": version.version,
            "label": method.label,
            "period": format_period(effective_from),
        }
        return version, saved
