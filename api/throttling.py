"""Rate limits per token (per user for a session), read from the settings at each call
so a deployment (or a test) can change them."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.auth import token_of


class _PerCaller(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def get_cache_key(self, request, view) -> str | None:
        token = token_of(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return f"api-throttle-{self.scope}-{ident}"


class CallRate(_PerCaller):
    scope = "calls"
    setting = "API_RATE_LIMIT"


class SubmitRate(_PerCaller):
    scope = "submissions"
    setting = "API_SUBMIT_RATE_LIMIT"
