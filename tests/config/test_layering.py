"""Imports run one way: down the layers written in CONTRIBUTING.md ("Layers").

Every module of the apps is parsed (imports inside functions count too) and each import of
another app is checked against the layer order. The pure engines must import without
Django: they are run in a fresh interpreter that has no settings.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Lowest first: an app may import the apps on its own floor or below, never above.
LAYERS: dict[str, int] = {
    "tabular": 0,
    "audit": 1,
    "stations": 2,
    "indicators": 3,
    "scoring": 4,
    "mapviews": 5,
    "improvement": 6,
    "demo": 7,
    "config": 8,
    # The feeding systems' API: an entry point like config's wiring (it reads the client
    # address rule there); nothing imports it (config names its urls by string).
    "api": 8,
}

#: audit records changes of the apps above it: the modules that connect to their models"
#: signals and describe their rows may read those models, the period format and the
#: scoring method"s pure definition. Nothing else in audit may import a product app.
AUDIT_RECORDS = {
    "audit/signals.py",
    "audit/changes.py",
    "audit/selectors.py",
}
AUDIT_MAY_READ = (
    "stations.models",
    "indicators.models",
    "indicators.periods",
    "scoring.models",
    "scoring.engine",
)

#: Upward imports not fixed yet, (module, imported): empty, keep it so (29 when the test
#: was written).
TEMPORARILY_ALLOWED: set[tuple[str, str]] = set()

#: Modules that must import without Django (the functional cores).
PURE_MODULES = [
    "scoring.engine",
    "scoring.engine.compute",
    "scoring.engine.sensitivity",
    "scoring.engine.explain",
    "improvement.engine",
    "improvement.engine.assignment",
    "improvement.engine.benefit",
    "improvement.engine.evaluation",
    "improvement.engine.pairing",
    "improvement.engine.progress",
    "improvement.engine.submissions",
    "scoring.engine.monthclose",
    "mapviews.charts",
    "mapviews.maps",
]


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.lineno, node.module))
            # ``from scoring import services`` names the module too.
            names.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return names


def upward_imports(root: Path = ROOT) -> list[tuple[str, str]]:
    """(module path, imported name) for every import that goes up a layer."""
    found: set[tuple[str, str]] = set()
    for app, floor in LAYERS.items():
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = path.relative_to(root).as_posix()
            for _line, name in _imported_names(ast.parse(path.read_text(), module)):
                target = name.split(".")[0]
                if target not in LAYERS or LAYERS[target] <= floor:
                    continue
                if module in AUDIT_RECORDS and name.startswith(AUDIT_MAY_READ):
                    continue
                found.add((module, ".".join(name.split(".")[:2])))
    return sorted(found)


def test_every_app_is_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(LAYERS), f"apps without a layer: {sorted(apps - set(LAYERS))}"


def test_imports_only_go_down_the_layers():
    found = set(upward_imports())
    new = sorted(found - TEMPORARILY_ALLOWED)
    assert new == [], "imports that go up a layer (see CONTRIBUTING.md, Layers):\n" + "\n".join(
        f"  {module} imports {name}" for module, name in new
    )
    stale = sorted(TEMPORARILY_ALLOWED - found)
    assert stale == [], f"fixed, remove from TEMPORARILY_ALLOWED: {stale}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "stations").mkdir()
    (tmp_path / "stations" / "late.py").write_text(
        "def later():\n    from scoring.services import request_recompute\n"
    )
    assert upward_imports(tmp_path) == [("stations/late.py", "scoring.services")]


def test_audit_may_read_only_what_it_records(tmp_path):
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "signals.py").write_text("from scoring.models import WeightSet\n")
    (tmp_path / "audit" / "services.py").write_text("from scoring.models import WeightSet\n")
    assert upward_imports(tmp_path) == [("audit/services.py", "scoring.models")]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_engine_imports_without_django(module):
    code = (
        f"import sys; import {module}; "
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'django'); "
        "print(','.join(loaded)); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, f"{module} loads Django: {result.stdout}{result.stderr}"


def _module_imports(path: Path) -> set[str]:
    return {name for _line, name in _imported_names(ast.parse(path.read_text(), str(path)))}


@pytest.mark.parametrize("app", ["scoring", "indicators"])
def test_what_the_tasks_run_never_imports_the_tasks(app):
    """tasks.py imports the services it runs; those find the task by name when they send
    it, so there is no import cycle (not even one hidden inside a function)."""
    tasks = f"{app}.tasks"
    imported = {
        name for name in _module_imports(ROOT / app / "tasks.py") if name.startswith(f"{app}.")
    }
    cycles = []
    for path in sorted((ROOT / app).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__")
        if module in imported and any(name.startswith(tasks) for name in _module_imports(path)):
            cycles.append(module)
    assert cycles == [], f"{tasks} imports these, and they import it back: {cycles}"
