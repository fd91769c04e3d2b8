"""docs/dependencies.md says why each dependency of pyproject.toml is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    """``celery[redis]>=5.5,<6`` → ``celery``."""
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _documented() -> set[str]:
    """The package names in the first column of the doc's tables."""
    names = set()
    for line in (ROOT / "docs/dependencies.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith(("| package", "|---")):
            for package in line.split("|")[1].split(","):
                names.add(_name(package.strip()))
    return names


def test_every_dependency_is_documented():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    assert declared - _documented() == set()
    assert "shapely" in declared and "polib" in declared  # the parsing sees the lists
