"""Layering: lower layers never import higher ones, no import circles anywhere, the API's
rooms keep their direction, and `import cubegraph.kg` stays light."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
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


def test_config_and_errors_import_no_layer():
    # Every layer may import config and errors, so they must import none of the layers.
    code = ("import sys, cubegraph.config, cubegraph.errors; "
            "print(sorted(m for m in sys.modules if m.startswith('cubegraph.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(out.stdout.strip()[1:-1].replace("'", "").split(", ")) == {
        "cubegraph.config", "cubegraph.errors"}


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


# --- the module import graph ---------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["cubegraph", *parts])


#: Every module of the package, by dotted name (the repository root is ``cubegraph``).
MODULES = {_module_name(p): p
           for p in [ROOT / "__init__.py", ROOT / "config.py", ROOT / "errors.py",
                     *(p for layer in ALLOWED for p in sorted((ROOT / layer).rglob("*.py")))]}


def _resolve(name: str) -> str | None:
    """The package module an imported name lives in (``None`` outside the package)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def module_imports(name: str) -> set[str]:
    """The package modules ``name`` imports, wherever in the file (function-local and
    ``TYPE_CHECKING`` imports included): ``from a import b`` names ``a.b`` when that is a
    module, else ``a``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        found.update(t for t in map(_resolve, targets) if t)
    found.discard(name)
    return found


IMPORTS = {name: module_imports(name) for name in MODULES}


def import_circles() -> list[list[str]]:
    """Every import circle: the strongly connected components of more than one module
    (Tarjan), each as one cycle through it, e.g. ``[a, b, a]``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(IMPORTS[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(_cycle_through(set(component)))

    for name in sorted(MODULES):
        if name not in index:
            visit(name)
    return circles


def _cycle_through(component: set[str]) -> list[str]:
    """One concrete cycle inside a strongly connected component, for the failure message."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = min(m for m in IMPORTS[path[-1]] if m in component)
        if nxt in seen:
            return path[path.index(nxt):] + [nxt]
        path.append(nxt)
        seen.add(nxt)


#: Circles known outside ``api``, owned by the layer's maintainers: a layer listed here is
#: expected to fail its test below until its circle is broken (then it passes as XPASS:
#: drop its entry).
KNOWN_CIRCLES: dict[str, str] = {}


def test_the_import_graph_sees_function_local_imports():
    # Commands import their work inside the command function: the graph must count it.
    assert "cubegraph.ml.runner" in IMPORTS["cubegraph.api.cli.demo_commands"]
    assert "cubegraph.api.services.search" in IMPORTS["cubegraph.api.cli.discovery_commands"]


def _circles_in(layer: str | None) -> list[list[str]]:
    def owner(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in ALLOWED else None

    return [c for c in import_circles() if layer in {owner(m) for m in c}
            or layer is None and not any(owner(m) for m in c)]


@pytest.mark.parametrize("layer", [
    pytest.param(layer, marks=pytest.mark.xfail(reason=KNOWN_CIRCLES[layer], strict=False))
    if layer in KNOWN_CIRCLES else layer
    for layer in [*sorted(ALLOWED), None]], ids=lambda layer: layer or "top-level")
def test_no_import_circle(layer):
    circles = _circles_in(layer)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_every_module_is_in_the_graph():
    # A module outside the graph would escape the circle test: the graph holds every module
    # of every package pyproject.toml ships, and nothing else.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = {_module_name(p) for package in config["tool"]["setuptools"]["packages"]
               for p in ROOT.joinpath(*package.split(".")[1:]).glob("*.py")}
    assert shipped == set(MODULES)


# --- the API's rooms -------------------------------------------------------------------------

def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "api" else None


SERVICES = sorted(m for m in MODULES if _room(m) == "services")
WEB_FRAMEWORK = ("flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous")


@pytest.mark.parametrize("module", SERVICES)
def test_services_import_no_web_framework(module):
    used = {n.split(".")[0] for n in _imported_modules(MODULES[module])}
    assert not used & set(WEB_FRAMEWORK), f"{module} imports {sorted(used & set(WEB_FRAMEWORK))}"


@pytest.mark.parametrize("module", SERVICES)
def test_services_import_neither_web_nor_cli(module):
    wrong = sorted(m for m in IMPORTS[module] if _room(m) in ("web", "cli"))
    assert not wrong, f"{module} imports {wrong}"


def test_services_import_no_web_framework_even_indirectly():
    code = ("import sys, cubegraph.api.services.search, cubegraph.api.services.audit, "
            "cubegraph.api.services.audit_view, cubegraph.api.services.catalog_export, "
            "cubegraph.api.services.stac_export, cubegraph.api.services.cube_view, "
            "cubegraph.api.services.run_view, cubegraph.api.services.examples; "
            f"print(sorted(m for m in {WEB_FRAMEWORK!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_web_may_call_services_but_only_web_calls_web():
    # Within api: web -> services, cli -> services and web; services -> neither.
    callers = {_room(m) for m in MODULES for t in IMPORTS[m] if _room(t) == "web"}
    assert callers <= {"web", "cli"}
    assert any(_room(t) == "services" for m in MODULES if _room(m) == "web" for t in IMPORTS[m])


def test_blueprints_never_import_the_app_factory():
    # They reach the app's state through api/web/state.py; only serving builds apps.
    importers = sorted(m for m in MODULES
                       if _room(m) == "web" and "cubegraph.api.web.app" in IMPORTS[m])
    assert importers == ["cubegraph.api.web.serve"], importers


# --- the graph's nouns ---------------------------------------------------------------------

#: Text that looks like a SPARQL query or update (a keyword before a group, or a PREFIX line).
_SPARQL = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE)\b[\s\S]*\{|^\s*PREFIX\s",
                     re.I | re.M)
#: A term of cubegraph's own vocabulary or of ML-Schema: prefixed, as a full IRI, or
#: interpolated from the namespace constants. Queries that name none of them (counting
#: triples, describing any resource) are about no noun and may live anywhere.
_NOUN_TERM = re.compile(r"\b(cg|mls):\w|https://w3id\.org/cubegraph/ontology#|"
                        r"http://www\.w3\.org/ns/mls#|\{(CG|MLS)\.")


def _strings(path: Path):
    """Every string literal of a module (f-strings with their placeholders as ``{expr}``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(
                v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def sparql_about_nouns(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line}" for line, text in _strings(path)
            if _SPARQL.search(text) and _NOUN_TERM.search(text)]


def test_no_sparql_about_a_graph_noun_outside_its_module():
    found = [hit for layer in ALLOWED for p in sorted((ROOT / layer).rglob("*.py"))
             if p.relative_to(ROOT).parts[:2] != ("kg", "records")
             for hit in sparql_about_nouns(p)]
    assert found == [], (f"SPARQL about cubes, variables, jobs, selections, runs or attributions "
                         f"belongs in its noun's module under kg/records/: {found}")


def test_the_noun_scan_sees_prefixed_and_interpolated_terms(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('A = "SELECT ?c WHERE { ?c a cg:DataCube }"\n'
                    'B = f"SELECT ?r WHERE {{ ?r a <{CG.ModelRun}> }}"\n'
                    'C = "SELECT ?s WHERE { ?s ?p ?o }"\n')
    assert [line for line, text in _strings(path) if _SPARQL.search(text) and _NOUN_TERM.search(text)] == [1, 2]


# --- module size ---------------------------------------------------------------------------

#: A module longer than this says at the top of its docstring why it is one module.
MAX_LINES = 400
SIZE_REASON = "Over 400 lines:"


def _package_scripts() -> list[Path]:
    """Every Python file of the repository but the tests: the package, bench/, examples/."""
    return sorted(p for p in ROOT.rglob("*.py")
                  if not any(part.startswith(".") or part in ("tests", "__pycache__")
                             for part in p.relative_to(ROOT).parts))


def long_modules_without_a_reason(paths) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n") and bool(text))
        if lines <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(text), clean=False) or ""
        if not any(line.startswith(SIZE_REASON) and line[len(SIZE_REASON):].strip()
                   for line in doc.splitlines()):
            name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
            found.append(f"{name} ({lines} lines)")
    return found


def test_every_module_over_400_lines_says_why():
    assert set(MODULES.values()) <= set(_package_scripts())
    found = long_modules_without_a_reason(_package_scripts())
    assert found == [], (f"a module over {MAX_LINES} lines is split, or its docstring has a line "
                         f"'{SIZE_REASON} <why it is one module>': {found}")


def test_the_size_check_reads_the_docstring_only(tmp_path):
    body = "x = 1\n" * MAX_LINES
    cases = {
        "short.py": '"""Short."""\n',
        "reason.py": f'"""Long.\n\n{SIZE_REASON} one table, read whole.\n"""\n' + body,
        "no_reason.py": '"""Long."""\n' + body,
        "in_a_comment.py": f'"""Long."""\n# {SIZE_REASON} only a comment\n' + body,
        "empty_reason.py": f'"""Long.\n\n{SIZE_REASON}\n"""\n' + body,
        "in_parentheses.py": f'"""Long.\n\n({SIZE_REASON} not at the start of the line.)\n"""\n' + body,
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    found = long_modules_without_a_reason(sorted(tmp_path.glob("*.py")))
    assert [f.split(" ")[0] for f in found] == [
        "empty_reason.py", "in_a_comment.py", "in_parentheses.py", "no_reason.py"]
