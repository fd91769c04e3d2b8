"""Revoke an API token by its prefix (the part after ``fm_`` up to the next ``_``); the
prefix may be given bare or as ``fm_<prefix>``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from api.tokens import prefix_of, revoke_token


class Command(BaseCommand):
    help = "Revoke an API token at once (its uses and batches are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "prefix", help="The token's prefix, bare or as fm_<prefix> (as the admin lists it)."
        )

    def handle(self, *args, prefix: str, **options):
        token = ApiToken.objects.filter(prefix=prefix_of(prefix)).first()
        if token is None:
            raise CommandError(_("There is no token with prefix %(prefix)r.") % {"prefix": prefix})
        if token.revoked_at is not None:
            raise CommandError(
                _("%(token)s was already revoked on %(when)s; nothing changed.")
                % {
                    "token": token,
                    "when": f"{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}",
                }
            )
        revoke_token(token)
        self.stdout.write(_("Revoked %(token)s.") % {"token": token})
