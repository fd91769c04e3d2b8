"""Argument helpers shared by the scoring commands."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import CommandError

from indicators.periods import PeriodError, parse_period
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
