import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.engine import ScoringMethod
from scoring.services import create_method_version, months_governed_by


def read_method(file: str, indicator_codes: set[str]) -> ScoringMethod:
    """A method from a JSON file of ``ScoringMethod`` fields (the rest keep their
    defaults), with every problem as one clear message."""
    try:
        record = json.loads(Path(file).read_text(encoding="utf-8"))
    except OSError as error:
        message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
        raise CommandError(message) from None
    except json.JSONDecodeError as error:
        raise CommandError(
            _("%(file)s line %(line)d: not valid JSON (%(error)s)")
            % {"file": file, "line": error.lineno, "error": error.msg}
        ) from None
    if not isinstance(record, dict):
        message = _("%(file)s: expected a JSON object of method settings") % {"file": file}
        raise CommandError(message)
    known = set(ScoringMethod.__dataclass_fields__)
    unknown = sorted(set(record) - known)
    if unknown:
        raise CommandError(
            _("%(file)s: unknown settings %(unknown)s (known: %(known)s)")
            % {"file": file, "unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    try:
        method = ScoringMethod.from_record(record)
    except (TypeError, ValueError) as error:
        raise CommandError(f"{file}: {error}") from None
    named = {code for code, _bounds in method.goalposts}
    named |= {code for code, _policy in method.missing}
    named |= {cap.indicator for cap in method.caps}
    strangers = sorted(named - indicator_codes)
    if strangers:
        raise CommandError(
            _("%(file)s: unknown indicator codes %(codes)s")
            % {"file": file, "codes": ", ".join(strangers)}
        )
    return method


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
