"""The folders show the layers: imports follow one direction, the SDKs stay inside the
clients, the sandbox is an outside world, and no module grows past ~400 lines.

    core ← audit ← accounts ← connector ← workflows ← runs ← {api, web, console} ← sheetforce
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Each package and the packages it may import (besides itself).
ALLOWED = {
    "core": set(),
    "audit": {"core"},
    "accounts": {"core", "audit"},
    "connector": {"core", "audit", "accounts"},
    "workflows": {"core", "audit", "accounts", "connector"},
    "runs": {"core", "audit", "accounts", "connector", "workflows"},
    "api": {"core", "audit", "accounts", "connector", "workflows", "runs"},
    "web": {"core", "audit", "accounts", "connector", "workflows", "runs"},
    "console": {"core", "audit", "accounts", "connector", "workflows", "runs"},
    "sheetforce": {"core", "audit", "accounts", "connector", "workflows", "runs", "api",
                   "web", "console", "sandbox"},
    "sandbox": set(),
}
APPS = set(ALLOWED)
SDKS = {"simple_salesforce", "smartsheet"}
MAX_LINES = 420


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every absolute module name ``path`` imports, anywhere in the file (functions
    included), plus the targets of ``include("…")`` in URL confs."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "include"
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def _violations(package: str) -> list[str]:
    out = []
    for path in _modules(package):
        rel = path.relative_to(ROOT)
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in APPS and top != package and top not in ALLOWED[package]:
                out.append(f"{rel}:{line} imports {module}")
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_it_imports_only_packages_to_its_left(package):
    assert _violations(package) == []


def test_it_catches_an_import_against_the_arrow_inside_a_function(tmp_path):
    # The walker itself: an import hidden in a function body is still seen.
    bad = tmp_path / "workflows" / "sneaky.py"
    bad.parent.mkdir()
    bad.write_text("def f():\n    from runs.engine import preview\n    return preview\n")
    assert _imports(bad) == [(2, "runs.engine")]


def test_it_keeps_the_sdks_inside_the_clients():
    out = []
    for package in sorted(APPS - {"sandbox"}):
        for path in _modules(package):
            rel = path.relative_to(ROOT)
            if rel.parts[:2] == ("connector", "clients"):
                continue
            out += [f"{rel}:{line} imports {m}" for line, m in _imports(path)
                    if m.split(".")[0] in SDKS]
    assert out == []


def test_it_keeps_the_apps_out_of_the_sandbox():
    # The sandbox is an outside world: it never imports the apps...
    assert _violations("sandbox") == []
    # ...and the apps never import it; only the project package's commands start it.
    out = []
    for package in sorted(APPS - {"sandbox", "sheetforce"}):
        for path in _modules(package):
            out += [f"{path.relative_to(ROOT)}:{line} imports {m}"
                    for line, m in _imports(path) if m.split(".")[0] == "sandbox"]
    assert out == []


@pytest.mark.parametrize("package", sorted(APPS) + ["bench"])
def test_it_keeps_every_module_small(package):
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in _modules(package)
            if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert long == []
