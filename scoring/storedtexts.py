"""Reasons scoring stores in English and shows translated (``audit.labels``): those the
set-up of a new company and data migration 0007 write on versions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: A new company's weight version 1 and method version 1 (``scoring.services.versions``).
INITIAL_WEIGHTS_REASON = "Initial equal weights"
INITIAL_METHOD_REASON = "Initial method: absolute scoring against the seeded targets"
#: Written by migration 0007_absolute_default (a migration cannot import this module: a
#: test keeps the texts equal).
LEAGUE_TABLE_REASON = (
    "These months were graded as a league table (min-max, 20 % per colour) before "
    "absolute scoring became the default; recorded so that they keep that method."
)
ABSOLUTE_REASON = (
    "Absolute scoring against the seeded targets: the default for a company without "
    "a method when absolute scoring became the default."
)

STORED_TEXTS = {
    INITIAL_WEIGHTS_REASON: _("Initial equal weights"),
    INITIAL_METHOD_REASON: _("Initial method: absolute scoring against the seeded targets"),
    LEAGUE_TABLE_REASON: _(
        "These months were graded as a league table (min-max, 20 % per colour) before "
        "absolute scoring became the default; recorded so that they keep that method."
    ),
    ABSOLUTE_REASON: _(
        "Absolute scoring against the seeded targets: the default for a company without "
        "a method when absolute scoring became the default."
    ),
}
