"""Argument helpers shared by the scoring commands."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from indicators.periods import PeriodError, format_period, parse_period
from scoring.models import RunStatus, ScoreRun
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


def run_summary(run: ScoreRun) -> str:
    """One line per run for the commands: month, state, counts, time, error."""
    state = run.get_status_display()
    if run.status == RunStatus.DONE:
        state = _("%(state)s (%(graded)d of %(stations)d graded, %(ms)d ms%(same)s)") % {
            "state": state,
            "graded": run.graded_count or 0,
            "stations": run.station_count or 0,
            "ms": run.total_ms or 0,
            "same": _(", inputs unchanged") if run.unchanged else "",
        }
    line = f"{format_period(run.period)}: {state}"
    return f"{line} — {run.error}" if run.error else line
