#!/usr/bin/env python3
"""Chinese translations: fill the catalogue from pending files, and check it is complete.

    translations.py merge   # locale/pending/*.json → locale/zh_Hans/LC_MESSAGES/django.po
                            # (no pending file: nothing to do; an unreadable one: exit 1)
    translations.py check   # exit 1 when an entry is untranslated or fuzzy

A pending file is a flat JSON object {"msgid": "中文"}; a plural is keyed "singular|plural"
with a list of the Chinese forms (Chinese has one). A context-qualified message
(pgettext) is keyed "context\\u0004msgid". Run ``make messages`` first so that the
catalogue has every msgid of the code; a merged pending file is deleted, entries it
has that the code no longer uses are reported and dropped. Needs polib (a dev
dependency).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PENDING = ROOT / "locale" / "pending"


def _key(entry: polib.POEntry) -> str:
    key = entry.msgid if not entry.msgid_plural else f"{entry.msgid}|{entry.msgid_plural}"
    return f"{entry.msgctxt}\x04{key}" if entry.msgctxt else key


def merge() -> int:
    """0 when every pending file was merged (or there was none); 1, with nothing written,
    when a pending file cannot be read."""
    files = sorted(PENDING.glob("*.json")) if PENDING.is_dir() else []
    if not files:
        print("no pending translations (locale/pending/*.json)")
        return 0
    pending = {}
    for path in files:
        try:
            pending[path] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            print(f"{path.name}: cannot be read: {error}", file=sys.stderr)
            return 1
        if not isinstance(pending[path], dict):
            print(f"{path.name}: not a JSON object of msgid → Chinese", file=sys.stderr)
            return 1
    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=100)
    entries = {_key(entry): entry for entry in catalogue if not entry.obsolete}
    unused = []
    for path in files:
        for key, chinese in pending[path].items():
            entry = entries.get(key)
            if entry is None:
                unused.append(f"{path.name}: {key!r}")
                continue
            if entry.msgid_plural:
                forms = chinese if isinstance(chinese, list) else [chinese]
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = chinese
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = None
    catalogue.save(str(CATALOGUE))
    for path in files:
        path.unlink()
    for line in unused:
        print(f"not in the code (dropped): {line}")
    print(f"merged {len(files)} pending file(s)")
    return 0


def check() -> int:
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry for entry in catalogue.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry for entry in catalogue.fuzzy_entries() if not entry.obsolete]
    for entry in missing:
        print(f"untranslated: {_key(entry)!r}")
    for entry in fuzzy:
        print(f"fuzzy: {_key(entry)!r} (was {entry.previous_msgid!r})")
    print(f"{catalogue.percent_translated()} % translated, {len(fuzzy)} fuzzy")
    return 1 if missing or fuzzy else 0


if __name__ == "__main__":
    commands = {"merge": merge, "check": check}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
