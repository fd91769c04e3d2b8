"""An API batch is shown as what it is wherever imports are listed: its source is the
API and who loaded it is the token's feeding system (the imports page, the job page,
the audit trail and the API's own answer)."""

from __future__ import annotations

import pytest

from tests.api.conftest import MONTH
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

TWO = [
    {"station_code": "F1", "period": MONTH, "indicator_code": "safety", "value": 91},
    {"station_code": "F2", "period": MONTH, "indicator_code": "safety", "value": 82.5},
]


def test_an_api_batch_is_listed_with_its_feeding_system(caller, client):
    response = caller.post_json(TWO)
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["source"] == "api"
    assert job["feeding_system"] == "配电物联网平台"

    client.force_login(user_with_role("admin"))
    listing = client.get("/manage/imports/").content.decode()
    row = next(line for line in listing.splitlines() if f"/manage/imports/{job['id']}/" in line)
    assert "配电物联网平台" in row and "API" in row
    assert "命令行" not in row and "网页上传" not in row

    page = client.get(f"/manage/imports/{job['id']}/").content.decode()
    assert "配电物联网平台" in page and "命令行" not in page and "网页上传" not in page

    audit = client.get("/manage/audit/").content.decode()
    assert "API: 配电物联网平台" in audit
