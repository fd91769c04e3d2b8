"""``make messages``: pending translations are merged, an unreadable pending file stops it,
and having no pending file is fine (scripts/translations.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def script(tmp_path, monkeypatch):
    """scripts/translations.py working on a small catalogue in tmp_path."""
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalogue.append(polib.POEntry(msgid="Map", msgstr=""))
    catalogue.save(str(tmp_path / "django.po"))
    monkeypatch.setattr(module, "CATALOGUE", tmp_path / "django.po")
    monkeypatch.setattr(module, "PENDING", tmp_path / "pending")
    return module


def test_no_pending_folder_is_fine_and_writes_nothing(script, capsys):
    before = script.CATALOGUE.read_bytes()
    assert script.merge() == 0
    assert script.CATALOGUE.read_bytes() == before
    assert "no pending translations" in capsys.readouterr().out


def test_a_pending_file_fills_the_catalogue_and_is_removed(script):
    script.PENDING.mkdir()
    (script.PENDING / "map.json").write_text(json.dumps({"Map": "地图"}), encoding="utf-8")
    assert script.merge() == 0
    assert polib.pofile(str(script.CATALOGUE)).find("Map").msgstr == "地图"
    assert list(script.PENDING.iterdir()) == []
    assert script.check() == 0


def test_an_unreadable_pending_file_fails_the_merge_and_writes_nothing(script, capsys):
    script.PENDING.mkdir()
    (script.PENDING / "broken.json").write_text('{"Map": "地图",}', encoding="utf-8")
    before = script.CATALOGUE.read_bytes()
    assert script.merge() == 1
    assert script.CATALOGUE.read_bytes() == before
    assert (script.PENDING / "broken.json").exists()  # kept, to be fixed
    assert "broken.json: cannot be read" in capsys.readouterr().err


def test_an_untranslated_entry_fails_the_check(script):
    assert script.check() == 1


def test_make_messages_stops_on_a_failing_merge_and_checks_the_result():
    recipe = ROOT.joinpath("Makefile").read_text().split("\nmessages:")[1].split("\n\n")[0]
    assert "|| true" not in recipe and "-$(PY)" not in recipe
    assert recipe.strip().splitlines()[-1].endswith("scripts/translations.py check")
