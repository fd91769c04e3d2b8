"""Chinese is the default language: every message of the code has its translation."""

from __future__ import annotations

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"
#: Where the translated strings live (as ``make messages`` scans them).
SOURCE_DIRS = {"config", "stations", "indicators", "scoring", "mapviews", "audit",
               "improvement", "demo", "tabular", "templates", "api"}  # fmt: skip


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_the_compiled_catalogue_is_not_older_than_the_source():
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    source = polib.pofile(str(CATALOGUE))
    translated = {entry.msgid for entry in source.translated_entries()}
    assert translated - {entry.msgid for entry in compiled} == set()


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path, settings):
    """makemessages, run over the code into a copy of the catalogue, finds no message
    without its translation: new strings were translated (``make messages`` fills them
    from locale/pending/*.json)."""
    import os
    import shutil

    from django.core.management import call_command

    root = CATALOGUE.parents[3]
    # A tree of links to the code without its locale/, so that makemessages writes
    # into the copy and never into the real catalogue.
    for item in root.iterdir():
        if item.is_dir() and item.name in SOURCE_DIRS:
            (tmp_path / item.name).symlink_to(item, target_is_directory=True)
    copy = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["zh_Hans"], symlinks=True, verbosity=0)
    finally:
        os.chdir(here)
    refreshed = polib.pofile(str(copy / "django.po"))
    assert refreshed.percent_translated() > 0  # the copy was refreshed, not replaced
    missing = [entry.msgid for entry in refreshed.untranslated_entries()]
    fuzzy = [entry.msgid for entry in refreshed.fuzzy_entries()]
    assert (missing, fuzzy) == ([], [])
