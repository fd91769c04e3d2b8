from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.company import COMPANY_NAME, DEMO_PASSWORD, PROVINCE_NAME, ensure_users, load_demo
from demo.shaoxing import COMPANY_NAME as SHAOXING
from scoring.models import RunStatus, ScoreRun
from stations.roles import ADMINISTRATOR, ROLES_BY_KEY


class Command(BaseCommand):
    help = _(
        "Load the demo: 浙江 with two companies (宁波供电公司, 绍兴供电公司), 24 months of "
        "data and demo users. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("load even though DEBUG is off (the demo logins have a published password)"),
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like production: the demo users have a "
                    "published password. Use --force to load the demo anyway."
                )
            )
        if load_demo():
            for company in (COMPANY_NAME, SHAOXING):
                runs = ScoreRun.objects.filter(company__name=company)
                done = runs.filter(status=RunStatus.DONE).count()
                self.stdout.write(
                    _("Loaded %(company)s: %(done)d of %(total)d months scored.")
                    % {"company": company, "done": done, "total": runs.count()}
                )
        else:
            self.stdout.write(_("%s is already loaded; demo logins reset.") % PROVINCE_NAME)
        ready, skipped = ensure_users()
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %s):") % DEMO_PASSWORD)
        for demo in ready:
            where = f" — {demo.place}"
            if demo.unit and demo.role == ADMINISTRATOR.key:
                where += " " + _(
                    "(reads every company below it; publishes its common method and manages "
                    "its part of the tree)"
                )
            elif demo.unit:
                where += " " + _("(every company below it, read only)")
            label = ROLES_BY_KEY[demo.role].label
            self.stdout.write(f"  {demo.username:<13} {label}{where}")
        for demo in skipped:
            self.stderr.write(
                _("  %s already exists and is not a demo user: left unchanged, no demo login.")
                % demo.username
            )
        self.stdout.write("")
