"""Read a scoring method from a JSON file (as for set_method and compare_scoring)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from scoring.engine import ScoringMethod


def read_method(file: str, indicator_codes: set[str]) -> ScoringMethod:
    """A method from a JSON file of ``ScoringMethod`` fields (the rest keep their
    defaults: absolute scoring, thresholds 90/80/70/60), with every problem as one clear
    message. Unlike a stored record (``ScoringMethod.from_record``), a file that names no
    normalisation or grading means today's default, not the league table."""
    try:
        record = json.loads(Path(file).read_text(encoding="utf-8"))
    except OSError as error:
        message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
        raise CommandError(message) from None
    except json.JSONDecodeError as error:
        raise CommandError(
            _("%(file)s line %(line)d: not valid JSON (%(error)s)")
            % {"file": file, "line": error.lineno, "error": error.msg}
        ) from None
    if not isinstance(record, dict):
        message = _("%(file)s: expected a JSON object of method settings") % {"file": file}
        raise CommandError(message)
    known = set(ScoringMethod.__dataclass_fields__)
    unknown = sorted(set(record) - known)
    if unknown:
        raise CommandError(
            _("%(file)s: unknown settings %(unknown)s (known: %(known)s)")
            % {"file": file, "unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    try:
        method = ScoringMethod(**record)
    except (TypeError, ValueError) as error:
        raise CommandError(f"{file}: {error}") from None
    named = {code for code, _bounds in method.goalposts}
    named |= {code for code, _policy in method.missing}
    named |= {cap.indicator for cap in method.caps}
    strangers = sorted(named - indicator_codes)
    if strangers:
        raise CommandError(
            _("%(file)s: unknown indicator codes %(codes)s")
            % {"file": file, "codes": ", ".join(strangers)}
        )
    return method
