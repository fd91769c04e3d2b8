"""The benchmarks' server (scripts/benchsite.py): the database it serves and the settings
it serves it with. No server is started here."""

from __future__ import annotations

from scripts import benchsite


def test_the_served_database_replaces_only_the_name_in_database_url():
    url = "postgres://postgres@127.0.0.1:5432/station_map?sslmode=disable"
    assert (
        benchsite.database_url(url, "test_station_map_pages_60")
        == "postgres://postgres@127.0.0.1:5432/test_station_map_pages_60?sslmode=disable"
    )


def test_the_server_runs_production_settings_over_plain_http_with_its_own_cache(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    monkeypatch.setenv("DEBUG", "true")
    environment = benchsite.server_environment(
        "postgres://postgres@127.0.0.1/base", "kept", "redis://127.0.0.1:6379/14"
    )
    assert environment["DATABASE_URL"] == "postgres://postgres@127.0.0.1/kept"
    assert environment["REDIS_URL"] == "redis://127.0.0.1:6379/14"
    assert environment["DEBUG"] == "false"
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    assert len(environment["SECRET_KEY"]) >= 50
    without = benchsite.server_environment("postgres://postgres@127.0.0.1/base", "kept", None)
    assert "REDIS_URL" not in without


def test_a_site_travels_as_json_between_processes():
    site = benchsite.Site(
        database="test_x_pages_60",
        stations=60,
        logins={"committee": ("committee", "secret")},
        pages=[("login", "anonymous", "/accounts/login/")],
    )
    assert benchsite.Site.from_json(site.to_json()) == site
