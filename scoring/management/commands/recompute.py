from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.models import RunStatus, RunTrigger, ScoreRun
from scoring.selectors import periods_with_data
from scoring.services import execute_run, request_recompute


class Command(BaseCommand):
    help = _(
        "Recompute the scores of one month or of every month with data. Enqueues the "
        "work for the Celery worker, or runs it here with --sync."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", type=period_argument, help="YYYY-MM")
        which.add_argument("--all", action="store_true", help=_("every month with data"))
        parser.add_argument("--sync", action="store_true", help=_("run in this process"))
        parser.add_argument("--company")

    def handle(self, *args, period, all, sync, company, **options):
        company = company_or_error(company)
        with_data = periods_with_data(company.pk)
        if not with_data:
            raise CommandError(_("There is no indicator data to score yet."))
        if not all and period not in with_data:
            raise CommandError(
                _("There is no indicator data for %(period)s; nothing to score.")
                % {"period": format_period(period)}
            )
        periods = with_data if all else [period]
        if sync:
            runs = [
                ScoreRun.objects.create(company=company, period=month, trigger=RunTrigger.MANUAL)
                for month in periods
            ]
            for run in runs:
                outcome = execute_run(run.pk)
                self.stdout.write(ScoreRun.objects.get(pk=outcome.run_id).status_line())
            failed = ScoreRun.objects.filter(pk__in=[r.pk for r in runs], status=RunStatus.FAILED)
            if failed.exists():
                raise CommandError(_("%d months failed; see the errors above.") % failed.count())
            return
        with transaction.atomic():
            runs = [
                request_recompute(company, month, trigger=RunTrigger.MANUAL) for month in periods
            ]
        for run in runs:
            run.refresh_from_db()
            self.stdout.write(run.status_line())
