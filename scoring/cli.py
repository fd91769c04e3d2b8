"""Argument helpers and the version-saving command shared by the scoring commands."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.periods import PeriodError, format_period, parse_period
from scoring.models import MethodVersion, WeightSet
from scoring.services import months_governed_by
from stations.models import Company
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
        parser.add_argument("--company")

    def handle(self, *args, file, effective_from, reason, company, **options):
        version, saved = self.save_version(
            company=company_or_error(company),
            file=file,
            effective_from=effective_from,
            reason=reason,
        )
        months = months_governed_by(version)
        self.stdout.write(saved)
        self.stdout.write(
            _("Recompute requested for %(count)d months: %(months)s")
            % {"count": len(months), "months": ", ".join(format_period(m) for m in months) or "-"}
        )

    def save_version(
        self, *, company: Company, file: str, effective_from: date, reason: str
    ) -> tuple[WeightSet | MethodVersion, str]:
        """Save the version read from ``file`` (an empty ``reason``: the command's own);
        return it and the line that says what was saved."""
        raise NotImplementedError
