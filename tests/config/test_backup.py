"""Backup and restore as docs/operations.md describes it: pg_dump of the whole site,
pg_restore into an empty database, and the same months, runs and grades come back."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from scoring.services import create_weight_set
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: What must come back: every month's runs, and every station's grade in every run.
CHECKS = {
    "runs": "SELECT id, period, status, is_current, weight_set_id FROM scoring_scorerun",
    "grades": "SELECT r.period, s.code, ss.grade, ss.score FROM scoring_stationscore ss "
    "JOIN scoring_scorerun r ON r.id = ss.run_id JOIN stations_station s ON s.id = ss.station_id",
    "values": "SELECT station_id, period, indicator_id, value FROM indicators_indicatorvalue",
    "weights": "SELECT company_id, version, effective_from FROM scoring_weightset",
    "users": "SELECT username, password FROM auth_user",
    "audit": "SELECT count(*) FROM audit_auditentry",
}


def url(database: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgresql://{db['USER']}{password}@{host}/{database}"


def contents(database: str) -> dict[str, list]:
    with psycopg.connect(url(database)) as conn:
        return {name: sorted(conn.execute(query).fetchall()) for name, query in CHECKS.items()}


@pytest.fixture
def empty_database():
    name = f"restore_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_an_empty_database_has_the_same_months_and_grades(
    three_stations, tmp_path, empty_database
):
    if connection.vendor != "postgresql":
        pytest.skip("the documented backup is of PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore missing: apt-get install postgresql-client")
    company = three_stations[0].county.company
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [30, 20, None])
    weights = {w.indicator.code: w.weight for w in company.weight_sets.get().weights.all()}
    create_weight_set(
        company=company, weights=weights, effective_from=OCTOBER, reason="again", recompute=False
    )
    original = contents(connection.settings_dict["NAME"])
    dump = tmp_path / "station_map.dump"

    # The commands of docs/operations.md, "Backup and restore".
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
         url(connection.settings_dict["NAME"])],
        check=True,
    )  # fmt: skip
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url(empty_database)}",
         str(dump)],
        check=True,
    )  # fmt: skip

    restored = contents(empty_database)
    assert len(original["runs"]) == 2 and len(original["grades"]) == 6
    assert {grade for _period, _code, grade, _score in original["grades"]} >= {"red", "orange"}
    assert restored == original
