"""The client's address, read through the reverse proxies we trust.

django-axes asks this (AXES_CLIENT_IP_CALLABLE) for the address a failed login is
counted against, so the rule lives here, once, with its own tests.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client, read through TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it was contacted from to
    X-Forwarded-For, so with n proxies the client is the n-th entry from the right;
    anything further left was written by the client and may be invented. Without
    trusted proxies (or when the header is shorter or unreadable) the header is
    ignored and REMOTE_ADDR counts.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote
