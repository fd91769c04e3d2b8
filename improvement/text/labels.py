"""Translated names of the improvement engine's codes (the engine itself has no Django)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from improvement.engine.progress import MISSED, OFF_TRACK, ON_TRACK, REACHED, WAITING
from improvement.engine.statuschange import (
    DECLINED,
    DECLINED_SIGNIFICANTLY,
    INCREASED,
    INCREASED_SIGNIFICANTLY,
    MAINTAINED,
)

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

#: The status × change page's change bands (``engine.statuschange.CHANGE_BANDS``).
CHANGE_BAND_LABELS = {
    DECLINED_SIGNIFICANTLY: _("Declined significantly"),
    DECLINED: _("Declined"),
    MAINTAINED: _("Maintained"),
    INCREASED: _("Increased"),
    INCREASED_SIGNIFICANTLY: _("Increased significantly"),
}

#: What each band covers, in points of score change.
CHANGE_BAND_RANGES = {
    DECLINED_SIGNIFICANTLY: _("−5 or less"),
    DECLINED: _("−5 to −1"),
    MAINTAINED: _("under ±1"),
    INCREASED: _("+1 to +5"),
    INCREASED_SIGNIFICANTLY: _("+5 or more"),
}
