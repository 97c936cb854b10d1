"""Every third-party import is declared in pyproject.toml: the package's in ``dependencies``,
the tests' and benchmarks' there or in the ``test`` extra; and nothing only tests use is a
runtime dependency."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(specs: list[str]) -> set[str]:
    return {normalised(re.match(r"[A-Za-z0-9._-]+", spec).group(0)) for spec in specs}


RUNTIME = declared(PYPROJECT["project"]["dependencies"])
TEST = declared(PYPROJECT["project"]["optional-dependencies"]["test"])


def package_modules() -> list[Path]:
    """The modules that ship: the ``*.py`` files of every package pyproject lists."""
    folders = [ROOT.joinpath(*name.split(".")[1:])
               for name in PYPROJECT["tool"]["setuptools"]["packages"]]
    return sorted(p for folder in folders for p in folder.glob("*.py"))


def modules_of_tests_and_bench() -> list[Path]:
    return sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")])


def third_party_imports(paths: list[Path], local: set[str]) -> dict[str, set[str]]:
    """Top-level names imported (anywhere in the file, function-local imports too) that are
    neither the standard library, cubegraph nor ``local`` modules -> files importing them."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "cubegraph" and top not in local:
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    found.setdefault(top, set()).add(str(where))
    return found


def undeclared(imports: dict[str, set[str]], allowed: set[str]) -> dict[str, str]:
    """Imported names that no allowed distribution provides -> why, naming the files."""
    providers = importlib.metadata.packages_distributions()
    bad = {}
    for module, files in sorted(imports.items()):
        dists = {normalised(d) for d in providers.get(module, [])}
        if not dists & allowed:
            where = ", ".join(sorted(files)[:3])
            bad[module] = (f"provided by {sorted(dists)}, not declared" if dists
                           else "not installed") + f" (imported by {where})"
    return bad


def test_the_package_imports_only_its_runtime_dependencies():
    bad = undeclared(third_party_imports(package_modules(), set()), RUNTIME)
    assert not bad, f"add these to [project] dependencies in pyproject.toml: {bad}"


def test_tests_and_benchmarks_import_only_declared_distributions():
    local = {p.stem for p in modules_of_tests_and_bench()}
    bad = undeclared(third_party_imports(modules_of_tests_and_bench(), local), RUNTIME | TEST)
    assert not bad, f"add these to the 'test' extra in pyproject.toml: {bad}"


def test_every_runtime_dependency_is_used_by_the_package():
    providers = importlib.metadata.packages_distributions()
    used = {normalised(d) for module in third_party_imports(package_modules(), set())
            for d in providers.get(module, [])}
    unused = sorted(RUNTIME - used)
    assert not unused, (f"runtime dependencies the package never imports: {unused}; move "
                        "those only tests or benchmarks use to the 'test' extra")


def test_the_scan_sees_function_local_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    import click\n    from yaml import safe_load\n")
    found = third_party_imports([module], set())
    assert set(found) == {"click", "yaml"}
