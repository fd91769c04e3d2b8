"""Settings refuse what they cannot understand, and production refuses a throwaway key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import check_secret_key, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False), ("", None)],
)
def test_env_bool_accepts_plain_words(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=None) is expected


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="is not a boolean"):
        env_bool("FLAG", default=False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "12")
    monkeypatch.setenv("HOSTS", "a.example, b.example ,")
    assert env_int("N", 1) == 12
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1)


def test_env_int_refuses_a_value_below_its_minimum(monkeypatch):
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the smallest allowed value, 0"):
        env_int("N", 5, minimum=0)
    monkeypatch.setenv("N", "0")
    assert env_int("N", 5, minimum=0) == 0


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 40])
def test_production_refuses_a_weak_secret_key(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        check_secret_key(key, debug=False)


def test_debug_allows_the_embedded_key():
    """A developer's site starts without a key; production starts with a strong one."""
    # (A portal origin set: without one the check warns, mapviews.W001.)
    developer = run_check(DEBUG="true", WIDGET_FRAME_ANCESTORS="https://portal.example.cn")
    assert developer.returncode == 0, developer.stderr
    assert "System check identified no issues" in developer.stdout
    production = run_check(DEBUG="false", ALLOWED_HOSTS="example.com", SECRET_KEY="k" * 50)
    assert production.returncode == 0, production.stderr


def run_check(**env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_does_not_start_without_a_key_when_debug_is_off():
    result = run_check(DEBUG="false", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "widget",
    [
        {"WIDGET_FRAME_ANCESTORS": "https://portal.example.cn"},
        {"SILENCED_SYSTEM_CHECKS": "mapviews.W001"},  # no portal embeds the widget
    ],
)
def test_deploy_check_passes_with_production_settings(tmp_path, widget):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "p" * 20 + "-production-secret-key-0123456789",
            "ALLOWED_HOSTS": "stations.example.com",
            **widget,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    "origin", ["portal.example.cn", "https://portal.example.cn/path", "https://a.cn; script-src *"]
)
def test_widget_frame_ancestors_must_be_bare_origins(origin):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import check_origins

    with pytest.raises(ImproperlyConfigured, match="is not an origin"):
        check_origins("WIDGET_FRAME_ANCESTORS", [origin])
    assert check_origins("X", ["https://portal.example.cn:8443", "http://10.0.0.5"]) == [
        "https://portal.example.cn:8443",
        "http://10.0.0.5",
    ]


@pytest.mark.parametrize(
    "url",
    ["stations.example.cn", "ftp://stations.example.cn", "https://a.cn/?x=1", "https://u@a.cn"],
)
def test_site_url_must_be_a_plain_address(url):
    from config.env import check_site_url

    with pytest.raises(ImproperlyConfigured, match="is not a site address"):
        check_site_url("SITE_URL", url)
    assert check_site_url("SITE_URL", "") == ""
    assert (
        check_site_url("SITE_URL", "https://stations.example.cn/") == "https://stations.example.cn"
    )
    assert check_site_url("SITE_URL", "http://10.0.0.5:8000/map") == "http://10.0.0.5:8000/map"


def test_mail_tls_and_ssl_are_not_both_on():
    from config.env import check_mail_security

    with pytest.raises(ImproperlyConfigured, match="EMAIL_USE_TLS and EMAIL_USE_SSL"):
        check_mail_security(True, True)
    for use_tls, use_ssl in [(True, False), (False, True), (False, False)]:
        assert check_mail_security(use_tls, use_ssl) is None


def database_options(url: str, **env) -> dict:
    """The database OPTIONS the settings build for ``url`` (in a fresh process)."""
    code = "import json; from config import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"  # noqa: E501
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_database_that_does_not_answer_is_given_up_on_in_seconds():
    """Before: no connect timeout, so a hung PostgreSQL held each request until the web
    server killed its worker; now the connection gives up after 5 s (503 page)."""
    options = database_options("postgres://postgres@127.0.0.1:5432/station_map")
    assert options["connect_timeout"] == 5 and options["keepalives"] == 1
    chosen = database_options(
        "postgres://postgres@127.0.0.1:5432/station_map?connect_timeout=2",
        DATABASE_CONNECT_TIMEOUT="9",
    )
    assert chosen["connect_timeout"] == 2  # the URL's own option wins
    assert database_options("postgres://h/db", DATABASE_CONNECT_TIMEOUT="9")["connect_timeout"] == 9
