"""Strict readers for settings that come from the environment.

A value that cannot be understood stops the start-up with ImproperlyConfigured
instead of being guessed at: a typo in ``DEBUG`` must never switch debug on.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str = "", *, strip: bool = True) -> str:
    value = os.environ.get(name, default)
    return value.strip() if strip else value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is below the smallest allowed value, {minimum}."
        )
    return value


def env_file(name: str) -> str:
    """A path to an existing file, or "" when unset; a path that is not a file stops
    the start-up (a mistyped font path must not quietly fall back)."""
    raw = env_str(name)
    if raw and not os.path.isfile(raw):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a file that exists.")
    return raw


INSECURE_KEY_PREFIX = "django-insecure-"


def check_secret_key(secret_key: str, *, debug: bool) -> None:
    """Refuse to run a non-debug site with a missing or throwaway SECRET_KEY."""
    if debug:
        return
    if not secret_key or secret_key.startswith(INSECURE_KEY_PREFIX) or len(secret_key) < 32:
        raise ImproperlyConfigured(
            "DEBUG is off, so SECRET_KEY must be set to a random value of at least "
            "32 characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")


def check_origins(name: str, origins: list[str]) -> list[str]:
    """Each entry must be a bare origin (scheme://host[:port]), nothing a header could misread."""
    for origin in origins:
        if not _ORIGIN.match(origin):
            raise ImproperlyConfigured(
                f"{name} entry {origin!r} is not an origin like https://portal.example.cn"
            )
    return origins


def check_site_url(name: str, url: str) -> str:
    """The site's own address for links in e-mails (``https://host[:port][/path]``, no
    query), without its trailing slash; empty when not set."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.query or parts.fragment or not _ORIGIN.match(f"{parts.scheme}://{parts.netloc}"):
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a site address like https://stations.intranet.example"
        )
    return url.rstrip("/")


def check_mail_security(use_tls: bool, use_ssl: bool) -> None:
    """STARTTLS (usually port 587) or TLS from the start (usually 465): one, not both."""
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both on; set only one "
            "(TLS: STARTTLS, usually port 587; SSL: TLS from the start, usually port 465)."
        )
