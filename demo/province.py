"""The demo's organisation tree: 浙江 (a unit above companies) with 宁波 and 绍兴 under
it, placed through the real organisation file import (``import_org``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from demo import shaoxing
from demo.company import COMPANY_NAME, PROVINCE_CODE, PROVINCE_NAME, write_csv
from stations.models import Company
from stations.orgimport import import_org

#: Company name → its code in the tree.
COMPANY_CODES = {COMPANY_NAME: "NB", shaoxing.COMPANY_NAME: "SX"}


def place_demo_companies() -> None:
    """Give the demo companies their codes (once) and load the province's file when a
    demo company is not under 浙江 yet: loading the demo again changes nothing."""
    companies = Company.objects.filter(name__in=COMPANY_CODES, code__isnull=True)
    for company in companies:  # as an administrator does in the admin
        company.code = COMPANY_CODES[company.name]
        company.save(update_fields=["code"])
    placed = Company.objects.filter(code__in=COMPANY_CODES.values())
    if not placed.exclude(parent__code=PROVINCE_CODE).exists():
        return
    rows = [{"code": PROVINCE_CODE, "name": PROVINCE_NAME, "parent_code": ""}]
    rows += [
        {"code": company.code, "name": company.name, "parent_code": PROVINCE_CODE}
        for company in placed.order_by("pk")
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo_organisation.csv"
        write_csv(path, ["code", "name", "parent_code"], rows)
        import_org(path)
