"""Argument helpers and the version-saving command shared by the scoring commands."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.periods import PeriodError, format_period, parse_period
from scoring.models import MethodVersion, WeightSet
from scoring.services import companies_governed_by, months_governed_by
from stations.models import Company, OrgUnit
from stations.services import CompanyChoiceError, resolve_company


def period_argument(text: str) -> date:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def company_or_error(name: str | None) -> Company:
    try:
        return resolve_company(name, create=False)
    except CompanyChoiceError as error:
        raise CommandError(str(error)) from None


def unit_or_error(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(_("There is no organisation unit with the code %r.") % code)
    return unit


class VersionCommand(BaseCommand):
    """A command that saves a new version (weights, grading method) read from a file,
    effective from a month, and says which months it sends to be recomputed.
    A subclass says what the file holds (``save_version``) and why it may change."""

    #: The help of ``--reason``.
    reason_help: str

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--effective-from", required=True, type=period_argument)
        parser.add_argument("--reason", default="", help=self.reason_help)
        self.add_owner_arguments(parser)

    @staticmethod
    def add_owner_arguments(parser) -> None:
        """``--company`` or ``--unit``: whose version the command saves."""
        parser.add_argument("--company")
        parser.add_argument(
            "--unit",
            help=_(
                "The code of an organisation unit: save its common version, which the "
                "companies below it inherit unless they use their own."
            ),
        )

    def handle(self, *args, file, effective_from, reason, company, unit=None, **options):
        if unit and company:
            raise CommandError(_("Give --company or --unit, not both."))
        version, saved = self.save_version(
            owner=unit_or_error(unit) if unit else company_or_error(company),
            file=file,
            effective_from=effective_from,
            reason=reason,
        )
        self.stdout.write(saved)
        if version.unit_id:
            governed = companies_governed_by(version)
            self.stdout.write(
                _("Re-grade requested for %(companies)d companies, %(count)d months in all.")
                % {
                    "companies": len(governed),
                    "count": sum(len(months) for months in governed.values()),
                }
            )
            return
        months = months_governed_by(version)
        self.stdout.write(
            _("Recompute requested for %(count)d months: %(months)s")
            % {"count": len(months), "months": ", ".join(format_period(m) for m in months) or "-"}
        )

    def save_version(
        self, *, owner: Company | OrgUnit, file: str, effective_from: date, reason: str
    ) -> tuple[WeightSet | MethodVersion, str]:
        """Save the version read from ``file`` (an empty ``reason``: the command's own);
        return it and the line that says what was saved."""
        raise NotImplementedError
