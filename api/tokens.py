"""Making, finding, using and revoking API tokens.

A token reads ``fm_<prefix>_<secret>``: the prefix finds the row, the secret is checked
against its SHA-256. Secrets are 32 random bytes, so a plain hash is enough (a slow
password hash protects guessable secrets; these are not guessable) and keeps every call
cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api.models import ApiToken
from audit.models import Action
from audit.services import record
from indicators.models import Indicator
from stations.models import Company

TOKEN_START = "fm_"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    #: The whole token: shown once, never stored.
    plaintext: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_credentials() -> tuple[str, str, str]:
    """(prefix, secret hash, plaintext token) of a fresh token."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, _hash(secret), f"{TOKEN_START}{prefix}_{secret}"


def issue_token(
    *,
    name: str,
    company: Company,
    indicators: Iterable[Indicator],
    created_by=None,
) -> IssuedToken:
    """Create a token for a feeding system; the plaintext is returned only here."""
    prefix, secret_hash, plaintext = new_credentials()
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            company=company,
            prefix=prefix,
            secret_hash=secret_hash,
            created_by=created_by,
        )
        token.indicators.set(list(indicators))
        record_issued(token, created_by)
    return IssuedToken(token, plaintext)


def record_issued(token: ApiToken, user=None) -> None:
    """The audit trail's entry for a new token (its scope; never its secret)."""
    record(
        Action.API_TOKEN_ISSUED,
        token,
        after={
            "name": token.name,
            "company": token.company_id,
            "prefix": token.prefix,
            "indicators": sorted(token.indicators.values_list("code", flat=True)),
        },
        actor=user,
    )


def find_token(presented: str) -> ApiToken | None:
    """The live token a caller presented, or None (unknown, malformed or revoked)."""
    if not presented.startswith(TOKEN_START):
        return None
    prefix, _sep, secret = presented[len(TOKEN_START) :].partition("_")
    if not (prefix.isascii() and prefix.isalnum() and len(prefix) <= 16) or not secret:
        return None
    token = (
        ApiToken.objects.select_related("company")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    return token


def prefix_of(text: str) -> str:
    """The prefix in what an admin typed: the bare prefix, ``fm_<prefix>`` as the admin
    shows it, or the whole token ``fm_<prefix>_<secret>``."""
    text = text.strip()
    if text.startswith(TOKEN_START):
        text = text[len(TOKEN_START) :].partition("_")[0]
    return text


def record_use(token: ApiToken, address: str) -> None:
    """Note when and from where the token was last used (one UPDATE per call)."""
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(),
        last_used_from=address or None,
        use_count=F("use_count") + 1,
    )


def revoke_token(token: ApiToken) -> ApiToken:
    """Revoke at once; the token's row, uses and batches are kept."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(Action.API_TOKEN_REVOKED, token, after={"prefix": token.prefix})
    return token


def allowed_indicator_codes(token: ApiToken) -> set[str]:
    return set(token.indicators.values_list("code", flat=True))
