"""Who the viewer is and what they may choose: their company and its counties.

Every page that shows one company's months starts here (``scoring.viewer.chosen_month``).
"""

from __future__ import annotations

from stations.models import COUNTY_ORDER, Company, County


def company_for_user(user) -> Company | None:
    """The viewer's company: their station's, else the first one."""
    membership = getattr(user, "station_membership", None)
    if membership is not None:
        return Company.objects.get(counties__stations=membership.station_id)
    return Company.objects.order_by("pk").first()


def counties(company_id: int) -> list[County]:
    """The company's counties in their listed order (``COUNTY_ORDER``: the official order
    an administrator set, then by pinyin)."""
    return list(County.objects.filter(company_id=company_id).order_by(*COUNTY_ORDER))


def has_county(company_id: int, county_id: int) -> bool:
    return County.objects.filter(company_id=company_id, pk=county_id).exists()
