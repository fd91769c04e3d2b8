"""schemathesis against the OpenAPI schema, through the WSGI app with a token: no 5xx,
and every answer (status, content type, body) as the schema documents it.

One test per operation, on a small company with a scored month. The examples are
derandomised (the same run every time) and bounded per operation so the suite stays
quick. The schema is drf-spectacular's, the same one /api/v1/schema/ serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.batches import JSON, ValuesBody
from api.parsers import XLSX_MEDIA_TYPE
from api.services import submit_values
from api.tokens import find_token, issue_token
from indicators.models import Indicator
from stations.models import Station
from tests.builders import score_month

MAX_EXAMPLES = 25


@schemathesis.serializer(XLSX_MEDIA_TYPE)
def _xlsx_body(context, value) -> dict:
    """Generated bodies of the XLSX media type are sent as they are (bytes, or text as
    UTF-8): the API must refuse them with a 4xx."""
    if isinstance(value, bytes):
        return {"data": value}
    return {"data": str(value).encode("utf-8", "surrogatepass")}


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request's start and end must not close the test's
    database connection (its transaction holds the test data)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def token_header(feed_company, settings, keep_the_test_connection) -> dict[str, str]:
    settings.API_RATE_LIMIT = "100000/minute"
    settings.API_SUBMIT_RATE_LIMIT = "100000/minute"
    stations = list(Station.objects.filter(county__company=feed_company).order_by("code"))
    score_month(stations, date(2026, 10, 1), [50 + 5 * n for n in range(6)])
    issued = issue_token(name="fuzz", company=feed_company, indicators=Indicator.objects.all())
    # The WSGI client does not unzip; an HTTP client would (GZipMiddleware answers gzip).
    return {"Authorization": f"Bearer {issued.plaintext}", "Accept-Encoding": "identity"}


#: Calls the generated ones rarely make succeed (a real station, month, job), answered as
#: documented too. "{job}" is the id of a job the fixture sends.
KNOWN_CALLS = [
    ("/api/v1/stations/{code}/", {"code": "F1"}, {}),
    ("/api/v1/stations/{code}/history/", {"code": "F1"}, {}),
    ("/api/v1/months/{month}/", {"month": "2026-10"}, {}),
    ("/api/v1/months/{month}/scores/", {"month": "2026-10"}, {"page_size": 2, "page": 2}),
    ("/api/v1/imports/{id}/", {"id": "{job}"}, {}),
    ("/api/v1/imports/", {}, {"month": "2026-09"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "path_parameters", "query"), KNOWN_CALLS)
def test_real_records_are_answered_as_documented(token_header, path, path_parameters, query):
    token = find_token(token_header["Authorization"].removeprefix("Bearer "))
    assert token is not None
    batch = b'{"values": [{"station_code": "F1", "period": "2026-09", "indicator_code": "safety", '
    body = ValuesBody(JSON, batch + b'"value": 90}]}')
    job = submit_values(token=token, body=body).submission.batch_id
    parameters = {
        name: job if value == "{job}" else value for name, value in path_parameters.items()
    }
    case = schema[path]["GET"].Case(path_parameters=parameters, query=query)
    response = case.call_and_validate(headers=token_header)
    assert response.status_code == 200


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, token_header):
    case.call_and_validate(
        headers=token_header,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
