"""Make an API token for a feeding system; prints the token once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api.tokens import issue_token
from indicators.models import Indicator
from stations.models import Company


class Command(BaseCommand):
    help = "Make an API token for a feeding system (printed once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The feeding system's name.")
        parser.add_argument("--company", required=True, help="The company's name.")
        parser.add_argument(
            "--indicators",
            required=True,
            help="Comma-separated indicator codes it may send, or 'all' (every active one).",
        )

    def handle(self, *args, name: str, company: str, indicators: str, **options):
        found = Company.objects.filter(name=company).first()
        if found is None:
            raise CommandError(_("There is no company %(name)r.") % {"name": company})
        if indicators.strip().lower() == "all":
            chosen = list(Indicator.objects.filter(active=True))
        else:
            codes = {code.strip().lower() for code in indicators.split(",") if code.strip()}
            chosen = list(Indicator.objects.filter(code__in=codes))
            unknown = sorted(codes - {indicator.code for indicator in chosen})
            if unknown or not codes:
                raise CommandError(
                    _("Unknown indicator codes: %(codes)s") % {"codes": ", ".join(unknown) or "-"}
                )
        issued = issue_token(name=name.strip(), company=found, indicators=chosen)
        self.stderr.write(_("Copy the token now: it is not shown again."))
        self.stdout.write(issued.plaintext)
