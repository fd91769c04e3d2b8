from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations.geoimport import import_county_boundaries, import_service_areas
from stations.services import CompanyChoiceError, resolve_company
from tabular.defects import FileRejected


class Command(BaseCommand):
    help = _(
        "Load map shapes from a GeoJSON FeatureCollection in WGS84: station service areas "
        "(property 'code') or county boundaries (property 'name'). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--stations", action="store_true", help=_("station service areas"))
        kind.add_argument("--counties", action="store_true", help=_("county boundaries"))
        parser.add_argument("--company", help=_("Company name (default: the only one)."))

    def handle(self, *args, file, stations, counties, company, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        try:
            chosen = resolve_company(company, create=False)
            if stations:
                count = import_service_areas(chosen, path)
                message = _("%(count)d station service areas loaded.")
            else:
                count = import_county_boundaries(chosen, path)
                message = _("%(count)d county boundaries loaded.")
        except FileRejected as rejected:
            raise CommandError(rejected.report()) from None
        except CompanyChoiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(message % {"count": count})
