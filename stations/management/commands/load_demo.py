from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from scoring.models import RunStatus, ScoreRun
from stations.demo import COMPANY_NAME, DEMO_PASSWORD, DEMO_USERS, ensure_users, load_demo


class Command(BaseCommand):
    help = _(
        "Load the demo company (宁波供电公司) with 24 months of data and demo users. Idempotent."
    )

    def handle(self, *args, **options):
        if load_demo():
            runs = ScoreRun.objects.filter(company__name=COMPANY_NAME)
            done = runs.filter(status=RunStatus.DONE).count()
            self.stdout.write(
                _("Loaded %(company)s: %(done)d of %(total)d months scored.")
                % {"company": COMPANY_NAME, "done": done, "total": runs.count()}
            )
        else:
            self.stdout.write(_("%s is already loaded; demo logins reset.") % COMPANY_NAME)
        ensure_users()
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %s):") % DEMO_PASSWORD)
        roles = {
            "station_staff": _("station staff"),
            "party_committee": _("party committee"),
            "admin": _("administrator"),
        }
        for demo in DEMO_USERS:
            where = f" — {demo.station_name}" if demo.station_name else ""
            self.stdout.write(f"  {demo.username:<10} {roles[demo.role]}{where}")
        self.stdout.write("")
