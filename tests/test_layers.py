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


#: The libraries that read or write cube files: only the cube layer imports them.
CUBE_LIBRARIES = {"zarr", "netCDF4", "numcodecs", "h5py", "xarray"}
#: The cube layer itself, and what may import anything (tests build cubes to read; benches
#: measure raw zarr reads against the pipeline).
CUBE_LIBRARY_USERS = ("ingest/cubes/", "tests/", "bench/")


def _all_imported_modules(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at module level or in a function,
    with an import statement or ``importlib.import_module`` / ``__import__`` of a constant."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__")):
            out.add(node.args[0].value.split(".")[0])
    return out


def test_only_the_cube_layer_imports_cube_libraries():
    users = {}
    for p in ROOT.rglob("*.py"):
        rel = p.relative_to(ROOT).as_posix()
        if rel.startswith(CUBE_LIBRARY_USERS) or rel.startswith("."):
            continue
        found = CUBE_LIBRARIES & _all_imported_modules(p)
        if found:
            users[rel] = sorted(found)
    assert users == {}, (f"cubes are read and written through cubegraph.ingest.cubes only; "
                         f"these modules import {sorted(CUBE_LIBRARIES)} themselves: {users}")


def test_the_cube_library_scan_sees_function_local_imports(tmp_path):
    # The rule above is only as good as its scan: it must see every way of importing.
    path = tmp_path / "m.py"
    path.write_text("def f():\n    import zarr.storage\n    from netCDF4 import Dataset\n"
                    "    importlib.import_module('xarray')\n")
    assert _all_imported_modules(path) == {"zarr", "netCDF4", "xarray"}
