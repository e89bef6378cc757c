"""The package layering, stated once and checked on every import in the code.

Arrows point down; data and imports flow one way (README, "What is where"):

    graph      the bottom: ontology, GraphStore, the clock and the base settings
    ingest   → graph
    risk     → graph                       (models, frame contract, registry, scoring, warnings)
    training → risk, ingest, graph         (the offline jobs: train, evaluate, simulate)
    knowledge→ graph                       (corpus, parsing, indexes, embedders)
    qa       → knowledge, graph            (retrieval, answers, chat)
    api      → all of them                 (HTTP, auth, audit, UI, CLI)

Every ``import``/``from … import`` counts, at module level or inside a function (lazy
imports are how heavy packages are loaded, so they are where a circle would hide), and so do
``importlib.import_module("…")`` calls with a literal name. ``fastapi``/``starlette`` belong
to ``api/`` alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
ALLOWED: dict[str, set[str]] = {
    "graph": set(),
    "ingest": {"graph"},
    "risk": {"graph"},
    "training": {"risk", "ingest", "graph"},
    "knowledge": {"graph"},
    "qa": {"knowledge", "graph"},
    "api": {"graph", "ingest", "risk", "training", "knowledge", "qa"},
}
HTTP_ONLY_IN_API = {"fastapi", "starlette", "uvicorn"}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted module name) of every absolute import in ``tree``, lazy ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            if (name in ("import_module", "__import__") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.append((node.lineno, node.args[0].value))
    return found


def violations(root: Path = ROOT) -> list[str]:
    bad: list[str] = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            rel = path.relative_to(root)
            for line, module in imported_modules(tree):
                top = module.split(".")[0]
                if top in ALLOWED and top != package and top not in allowed:
                    bad.append(f"{rel}:{line} imports {module} ({package} → {top} is not "
                               f"an allowed arrow)")
                if top in HTTP_ONLY_IN_API and package != "api":
                    bad.append(f"{rel}:{line} imports {module} (HTTP belongs to api/ only)")
    return bad


def test_packages_import_only_downwards():
    assert violations() == []


def test_relative_imports_do_not_leave_their_package():
    """``from .. import x`` could hide a cross-package import from the check above."""
    bad = []
    for package in ALLOWED:
        for path in sorted((ROOT / package).rglob("*.py")):
            depth = len(path.relative_to(ROOT / package).parts) - 1
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level > depth + 1:
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def test_the_check_catches_a_lazy_upward_import(tmp_path):
    """The rule is not vacuous: a lazy import of training inside a risk function, an
    importlib call from knowledge into qa and fastapi in ingest are all reported."""
    for package in ALLOWED:
        (tmp_path / package).mkdir()
    (tmp_path / "risk" / "scoring.py").write_text(
        "def score():\n    from training.train import fit\n    return fit\n")
    (tmp_path / "knowledge" / "kb.py").write_text(
        "import importlib\nqa = importlib.import_module('qa.service')\n")
    (tmp_path / "ingest" / "web.py").write_text("from fastapi import FastAPI\n")
    (tmp_path / "training" / "ok.py").write_text("import risk.frame\nimport graph\n")
    found = violations(tmp_path)
    assert len(found) == 3
    assert any(f.startswith("risk/scoring.py:2 imports training.train") for f in found)
    assert any(f.startswith("knowledge/kb.py:2 imports qa.service") for f in found)
    assert any("ingest/web.py:1 imports fastapi" in f for f in found)
