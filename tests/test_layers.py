"""Layering: lower layers never import higher ones, and `import cubegraph.kg` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What each layer may import from cubegraph (besides itself, config and errors).
ALLOWED = {
    "ontology": set(),
    "kg": {"ontology"},
    "ingest": {"kg", "ontology"},
    "reasoning": {"kg", "ontology"},
    "ml": {"reasoning", "ingest", "kg", "ontology"},
    "api": {"ml", "reasoning", "ingest", "kg", "ontology"},
}


def cubegraph_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "cubegraph" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_only_call_down(layer):
    bad = {}
    for path in (ROOT / layer).rglob("*.py"):
        wrong = cubegraph_imports(path) - ALLOWED[layer] - {layer, "config", "errors"}
        if wrong:
            bad[str(path.relative_to(ROOT))] = sorted(wrong)
    assert not bad, f"{layer} imports layers above it: {bad}"


def test_import_kg_pulls_in_no_torch_or_xarray():
    code = ("import sys, cubegraph.kg, cubegraph.ontology; "
            "print(sorted(m for m in ('torch', 'shap', 'xarray', 'flask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_kg_touches_pyoxigraph():
    users = sorted(str(p.relative_to(ROOT)) for layer in ALLOWED if layer != "kg"
                   for p in (ROOT / layer).rglob("*.py")
                   if "pyoxigraph" in {n.split(".")[0] for n in _imported_modules(p)})
    assert users == [], f"outside kg, only rdflib terms cross the store boundary: {users}"


def _imported_modules(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out
