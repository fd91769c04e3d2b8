"""Translated names of the improvement engine's codes (the engine itself has no Django)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from improvement.engine.progress import MISSED, OFF_TRACK, ON_TRACK, REACHED, WAITING

PROGRESS_STATES = {
    WAITING: _("waiting for data"),
    REACHED: _("goal reached"),
    ON_TRACK: _("on track"),
    OFF_TRACK: _("off track"),
    MISSED: _("goal missed"),
}

#: The bulletin's groups of projects (``engine.progress.PROGRESS_GROUPS``).
PROGRESS_GROUP_LABELS = {
    ON_TRACK: _("On track"),
    OFF_TRACK: _("Off track"),
    WAITING: _("No data yet"),
}
