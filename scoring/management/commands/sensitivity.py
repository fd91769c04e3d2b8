from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.selectors import current_run
from scoring.services import run_sensitivity


class Command(BaseCommand):
    help = _(
        "Weight sensitivity of a published month: re-grade it under randomly perturbed "
        "weights and store, for each station, how often it gets each colour and its rank "
        "interval. The map then marks the stations whose colour is uncertain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=period_argument, help="YYYY-MM")
        parser.add_argument(
            "--spread", type=float, default=20, help=_("± percent of each weight (default 20)")
        )
        parser.add_argument("--draws", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--certain",
            type=float,
            default=80,
            help=_("percent of draws a colour needs to count as certain (default 80)"),
        )
        parser.add_argument("--company")

    def handle(self, *args, period, spread, draws, seed, certain, company, **options):
        company = company_or_error(company)
        if not 0 <= spread < 100 or not 1 <= draws <= 100_000 or not 50 < certain <= 100:
            raise CommandError(
                _("Choose a spread of 0–99 %, 1–100,000 draws and a certain share of 51–100 %.")
            )
        run = current_run(company.pk, period)
        if run is None:
            raise CommandError(
                _("%(period)s has not been scored.") % {"period": format_period(period)}
            )
        found = run_sensitivity(
            run, spread=spread / 100, draws=draws, seed=seed, certain_share=certain / 100
        )
        self.stdout.write(
            _(
                "%(period)s: %(uncertain)d of %(graded)d graded stations have an uncertain "
                "colour (their grade in under %(certain)g%% of %(draws)d draws, weights "
                "±%(spread)g%%); %(ms)d ms."
            )
            % {
                "period": format_period(period),
                "uncertain": found.uncertain_count,
                "graded": len(found.results),
                "certain": certain,
                "draws": draws,
                "spread": spread,
                "ms": found.compute_ms,
            }
        )
