"""Tokens: made by an admin (admin page or command) for a named system, shown once, stored
hashed, scoped, revoked."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command

from api.models import ApiToken
from api.tokens import find_token, issue_token, revoke_token
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_secret_is_stored(feed_company):
    issued = issue_token(name="营销系统", company=feed_company, indicators=[])
    secret = issued.plaintext.split("_", 2)[2]
    stored = ApiToken.objects.get()
    assert secret not in (stored.secret_hash, stored.prefix)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert find_token(issued.plaintext) == stored
    assert find_token(issued.plaintext[:-1] + "x") is None
    for garbage in ("garbage", "fm_", "fm_\x00_x", "fm_名字_x", f"fm_{'a' * 40}_x"):
        assert find_token(garbage) is None
    revoke_token(stored)
    assert find_token(issued.plaintext) is None


def test_the_command_prints_the_token_once_with_its_scope(feed_company):
    out = io.StringIO()
    call_command(
        "create_api_token",
        name="安监系统",
        company=feed_company.name,
        indicators="safety,financial",
        stdout=out,
        stderr=io.StringIO(),
    )
    token = find_token(out.getvalue().strip())
    assert token is not None and token.name == "安监系统"
    assert sorted(token.indicators.values_list("code", flat=True)) == ["financial", "safety"]
    with pytest.raises(CommandError):
        call_command("create_api_token", name="x", company=feed_company.name, indicators="nope")
    call_command("revoke_api_token", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_admin_makes_a_token_in_the_admin_and_sees_it_once(feed_company, admin_client):
    response = admin_client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "财务系统",
            "company": feed_company.pk,
            "indicators": [Indicator.objects.get(code="financial").pk],
        },
    )
    # Shown in the save's own answer, never cached nor kept as a message (a message
    # lives in a cookie or the session until it is shown).
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert list(get_messages(response.wsgi_request)) == []
    assert all("fm_" not in morsel.value for morsel in response.cookies.values())
    token = ApiToken.objects.get()
    plaintext = re.search(rf"fm_{token.prefix}_[A-Za-z0-9_-]+", response.content.decode()).group()
    assert find_token(plaintext) == token
    assert token.created_by is not None
    for page in ("/admin/api/apitoken/", f"/admin/api/apitoken/{token.pk}/change/"):
        assert plaintext not in admin_client.get(page).content.decode()


def test_a_tokens_company_cannot_be_changed_in_the_admin(feed_company, other_company, admin_client):
    """A token moved to another company would send for it and show it the first
    company's batches (its submissions follow the token): make a new token instead."""
    issued = issue_token(name="营销系统", company=feed_company, indicators=[])
    admin_client.post(
        f"/admin/api/apitoken/{issued.token.pk}/change/",
        {"name": "营销系统", "company": other_company.pk, "indicators": []},
    )
    issued.token.refresh_from_db()
    assert issued.token.company == feed_company


@pytest.mark.parametrize("form", ["{prefix}", "fm_{prefix}", " fm_{prefix} "])
def test_revoke_by_the_prefix_bare_or_as_the_admin_shows_it(issued, form):
    out = io.StringIO()
    call_command("revoke_api_token", form.format(prefix=issued.token.prefix), stdout=out)
    assert "已吊销" in out.getvalue() or "Revoked" in out.getvalue()
    assert find_token(issued.plaintext) is None


def test_revoking_a_revoked_token_says_so_and_fails(issued):
    call_command("revoke_api_token", f"fm_{issued.token.prefix}", stdout=io.StringIO())
    with pytest.raises(CommandError) as refused:
        call_command("revoke_api_token", issued.token.prefix, stdout=io.StringIO())
    assert refused.value.returncode != 0
    assert issued.token.prefix in str(refused.value)
    assert "already revoked" in str(refused.value) or "已于" in str(refused.value)


def test_making_and_revoking_a_token_are_audited_without_its_secret(feed_company, admin_client):
    from audit.models import Action, AuditEntry

    response = admin_client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "财务系统",
            "company": feed_company.pk,
            "indicators": [Indicator.objects.get(code="financial").pk],
        },
    )
    token = ApiToken.objects.get()
    plaintext = re.search(rf"fm_{token.prefix}_[A-Za-z0-9_-]+", response.content.decode()).group()
    made = AuditEntry.objects.get(action=Action.API_TOKEN_ISSUED)
    assert made.actor is not None and made.after["indicators"] == ["financial"]
    assert made.after["prefix"] == token.prefix and plaintext not in str(made.after)
    for _ in range(2):  # a second revocation changes nothing and records nothing
        admin_client.post(
            "/admin/api/apitoken/",
            {"action": "revoke", "_selected_action": [token.pk]},
        )
    assert AuditEntry.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1
