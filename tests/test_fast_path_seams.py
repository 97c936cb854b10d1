"""Speed notes live in docs/benchmarks.md, and every fast path behind a seam that a test holds.

- No comment or docstring of the package quotes a speed figure (milliseconds, seconds,
  "3x faster", "several times faster"...): figures go to docs/benchmarks.md, "Why the fast
  paths exist", where they say what they were measured against.
- Every row of that table names a seam that exists (its module imports, the function is
  there), whose docstring says "Speed seam" and names the test holding it equal to the
  plain path, and that test exists; every "Speed seam" of the package has its row.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
LAYERS = ("ontology", "kg", "ingest", "reasoning", "ml", "api")
#: The package's modules (bench/ and examples/ are scripts about speed, not the package).
MODULES = sorted([ROOT / "__init__.py", ROOT / "config.py", ROOT / "errors.py",
                  *(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))])

_TIME = (r"(?<![\w.\-])~?\d[\d,.]*(?:\s?[-–]\s?\d[\d,.]*)?\s?"
         r"(?:ms|µs|us|ns|s|secs?|seconds?|milliseconds?|microseconds?|min|minutes?)(?![\w\-^/])")
_TIMES_FASTER = (r"(?<![\w.])~?\d+(?:\.\d+)?[x×](?!\w)"
                 r"|\d\s?[x×]\s+(?:faster|slower|cheaper|quicker|longer|more|less)\b"
                 r"|\b(?:\d+|two|three|four|five|ten|tens|hundreds|several|many)\s+(?:of\s+)?times\s+"
                 r"(?:faster|slower|cheaper|quicker|longer|shorter)\b"
                 r"|\b(?:twice|half)\s+as\s+(?:fast|slow)")
_FRACTION = (r"\b(?:a|one)\s+(?:half|third|quarter|fifth|tenth)\s+of\s+(?:the\s+|an?\s+)?[\w'-]+\s+"
             r"(?:cost|time|read time|run time)|\bby\s+(?:about\s+)?(?:a|one)\s+(?:half|third|quarter|fifth)\b"
             r"|\b(?:costs?|saves?|takes?)\s+(?:about\s+|~)?(?:seconds|minutes|milliseconds)\b")
_RATE = r"(?<![\w.,])\d[\d,.]*\s?(?:req/s|[kKMG]i?B/s)\b"
SPEED_FIGURE = re.compile("|".join(f"(?:{p})" for p in (_TIME, _TIMES_FASTER, _FRACTION, _RATE)),
                          re.IGNORECASE)

#: Figures that are not about speed: (module, the text matched) -> why it stays.
NOT_SPEED = {
    ("api/services/run_view.py", "1 min"): "the display format of a run's duration",
    ("api/services/run_view.py", "4 s"): "the display format of a run's duration",
}


def comments_and_docstrings(source: str):
    """``(line, text)`` of every comment and every module, class and function docstring."""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                yield node.body[0].lineno, doc


def speed_figures(source: str) -> list[tuple[int, str]]:
    return [(line, m.group(0)) for line, text in comments_and_docstrings(source)
            for m in SPEED_FIGURE.finditer(text)]


def test_no_comment_quotes_a_speed_figure():
    found = [f"{path.relative_to(ROOT).as_posix()}:{line}: {figure!r}"
             for path in MODULES
             for line, figure in speed_figures(path.read_text(encoding="utf-8"))
             if (path.relative_to(ROOT).as_posix(), figure) not in NOT_SPEED]
    assert found == [], ("speed figures belong in docs/benchmarks.md (\"Why the fast paths "
                         "exist\"), with what they were measured against; the code says what a "
                         f"fast path bypasses and which test holds it equal: {found}")


def test_the_figure_scan_sees_figures_and_not_units(tmp_path):
    # The rule above is only as good as its scan: figures in comments and docstrings are
    # found, CF units strings, hex, grid sizes and code are not.
    source = '''"""Reads it ~30x faster than xarray, in ~1.5 ms."""
# joining them costs ~0.5-1 s
x = "300 ms in a plain string is not a comment"


def f():
    """Several times faster than a cumsum; 2.5x the old one; tens of times faster."""
    units = "kg m-2 s-1"  # units such as "m s-1" and "kg m-2 s-1", a 360 x 180 grid, 0x20
    return 10 * 3  # a third of the read time; cost seconds; 1,057 req/s; 500 MB/s
'''
    found = sorted(figure for _line, figure in speed_figures(source))
    assert found == sorted(["~30x", "~1.5 ms", "~0.5-1 s", "Several times faster", "2.5x",
                            "tens of times faster", "a third of the read time", "cost seconds",
                            "1,057 req/s", "500 MB/s"]), found


# --- the seams of docs/benchmarks.md ----------------------------------------------------------

def seam_rows() -> list[tuple[str, str]]:
    """``(seam, held-equal test)`` of each row of the "Why the fast paths exist" table."""
    text = BENCHMARKS.read_text(encoding="utf-8")
    section = text.split("## Why the fast paths exist", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[0].startswith("`cubegraph."):
            rows.append((cells[0].strip("`"), cells[3].strip("`")))
    return rows


ROWS = seam_rows()


def resolve(dotted: str):
    """The object a dotted name names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def test_the_table_has_its_rows():
    assert len(ROWS) >= 25
    assert len({seam for seam, _ in ROWS}) == len(ROWS), "one row per seam"


@pytest.mark.parametrize("seam, test", ROWS, ids=[seam for seam, _ in ROWS])
def test_each_seam_exists_and_names_the_test_that_holds_it(seam, test):
    obj = resolve(seam)
    assert callable(obj), seam
    source = inspect.getsource(inspect.unwrap(obj))
    assert "Speed seam" in source, f"{seam}: its docstring says what it bypasses ('Speed seam: ...')"
    assert re.sub(r"\s+", "", test) in re.sub(r"\s+", "", source), \
        f"{seam}: its docstring names the test that holds it equal ({test})"


@pytest.mark.parametrize("seam, test", ROWS, ids=[seam for seam, _ in ROWS])
def test_each_held_equal_test_exists(seam, test):
    path, *names = test.split("::")
    file = ROOT / path
    assert file.is_file(), f"{seam}: no test file {path}"
    body = ast.parse(file.read_text(encoding="utf-8")).body
    for name in names:
        found = [n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name]
        assert found, f"{seam}: no {name} in {path}"
        body = found[0].body
    assert names and names[-1].startswith("test_"), test


def _seams_in(path: Path):
    """Qualified names of the functions and classes whose docstring declares a speed seam."""
    module = ".".join(["cubegraph", *path.relative_to(ROOT).with_suffix("").parts])

    def walk(nodes, prefix):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{node.name}"
                if "Speed seam" in (ast.get_docstring(node) or ""):
                    yield name
                if isinstance(node, ast.ClassDef):
                    yield from walk(node.body, name)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")).body, module)


def test_every_seam_of_the_package_has_its_row():
    declared = {name for path in MODULES for name in _seams_in(path)}
    assert len(declared) >= 25
    assert declared == {seam for seam, _ in ROWS}, (
        "each 'Speed seam' docstring has one row in docs/benchmarks.md and each row one seam")
