from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.cli import company_or_error, period_argument
from scoring.engine import DEFAULT_METHOD, LEAGUE_TABLE
from scoring.engine.compare import compare_months, transition_counts
from scoring.grades import grade_display
from scoring.methodfile import read_method
from scoring.models import MethodVersion, WeightSet
from scoring.selectors import NoWeightsError, load_period_inputs, periods_with_data
from stations.models import Station

GOVERNING = "current"


class Command(BaseCommand):
    help = _(
        "Grade one month under two methods or weight versions side by side and list the "
        "stations that change colour. Nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=period_argument, help="YYYY-MM")
        for side in ("a", "b"):
            parser.add_argument(
                f"--method-{side}",
                default=GOVERNING,
                help=_(
                    "a method version number, 'default' (absolute, each indicator's valid "
                    "range), 'league' (min-max, 20 %% per colour), a JSON file (as for "
                    "set_method) or 'current' (the version governing the month)"
                ),
            )
            parser.add_argument(
                f"--weights-{side}",
                default=GOVERNING,
                help=_("a weight version number or 'current'"),
            )
        parser.add_argument("--limit", type=int, default=50, help=_("stations listed at most"))
        parser.add_argument("--company")

    def handle(self, *args, period, limit, company, **options):
        company = company_or_error(company)
        if period not in periods_with_data(company.pk):
            raise CommandError(
                _("There is no indicator data for %(period)s.") % {"period": format_period(period)}
            )
        months, labels = [], []
        for side in ("a", "b"):
            version, method = self._method(company, options[f"method_{side}"])
            weights = self._weights(company, options[f"weights_{side}"])
            try:
                inputs = load_period_inputs(
                    company.pk, period, method_version=version, method=method, weight_set=weights
                )
            except NoWeightsError:
                raise CommandError(_("No weight version is effective for that month.")) from None
            months.append(inputs.score())
            source = options[f"method_{side}"]
            if inputs.method_version is not None:
                source = str(inputs.method_version)
            labels.append(f"{inputs.method.label} ({source}), {inputs.weight_set}")
        table = compare_months(*months)
        self.stdout.write(_("A: %s") % labels[0])
        self.stdout.write(_("B: %s") % labels[1])
        counts = transition_counts(table)
        changed = table[table["colour_changes"]]
        self.stdout.write(
            _("%(changed)d of %(total)d stations change colour.")
            % {"changed": len(changed), "total": len(table)}
        )
        self.stdout.write(_("Stations per colour (A → B):"))
        for grade in counts.index:
            before, after = int(counts.loc[grade].sum()), int(counts[grade].sum())
            if before or after:
                label = grade_display(grade).label
                self.stdout.write(f"  {label}: {before} → {after}")
        names = dict(Station.objects.filter(pk__in=list(changed.index)).values_list("pk", "name"))
        for station, row in changed.head(limit).iterrows():
            before, after = _score(row["score_before"]), _score(row["score_after"])
            self.stdout.write(
                f"  {names.get(station, station)}: {before} → {after}, "
                f"{grade_display(row['grade_before']).label} → "
                f"{grade_display(row['grade_after']).label}"
            )

    def _method(self, company, choice: str):
        """(method version, unsaved method): the governing version is ``True``."""
        if choice == GOVERNING:
            return True, None
        if choice == "default":
            return None, DEFAULT_METHOD
        if choice == "league":
            return None, LEAGUE_TABLE
        if choice.isdigit():
            version = MethodVersion.objects.filter(company=company, version=int(choice)).first()
            if version is None:
                raise CommandError(_("There is no method version %s.") % choice)
            return version, None
        codes = set(Indicator.objects.values_list("code", flat=True))
        return None, read_method(choice, codes)

    def _weights(self, company, choice: str):
        if choice == GOVERNING:
            return None
        version = (
            WeightSet.objects.filter(company=company, version=int(choice)).first()
            if choice.isdigit()
            else None
        )
        if version is None:
            raise CommandError(_("There is no weight version %s.") % choice)
        return version


def _score(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"
