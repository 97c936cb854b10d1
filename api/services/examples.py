"""The example SPARQL queries the editor offers (one list, read from ``.rq`` files).

Two folders hold them, read in this order: ``api/web/static/queries/`` (catalog queries that
ship with the package, also served as static files) and the repository's
``examples/queries/`` (the worked examples the README and the docs cite; absent from an
installed wheel, then silently skipped). Each file's leading ``#`` comment lines are its
title and description, so a new example is one new file, with no code to touch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Example", "example_queries", "QUERY_FOLDERS"]

_API = Path(__file__).resolve().parents[1]
#: Where examples are read from, in display order. The packaged ones sit with the web UI's
#: static files because they are also served as such; this module only reads them.
QUERY_FOLDERS = (_API / "web" / "static" / "queries", _API.parent / "examples" / "queries")


@dataclass(frozen=True)
class Example:
    """One example query: ``name`` (file stem), ``title``, ``description``, ``query``."""

    name: str
    title: str
    description: str
    query: str

    def to_dict(self) -> dict:
        return asdict(self)


def example_queries(folders=QUERY_FOLDERS) -> list[Example]:
    """Every ``*.rq`` file of ``folders`` as an :class:`Example`, folder by folder, by name.

    Raises:
        OSError: a file exists but cannot be read.
    """
    out, seen = [], set()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.rq")):
            if path.stem in seen:
                continue
            seen.add(path.stem)
            text = path.read_text(encoding="utf-8")
            comments = []
            for line in text.splitlines():
                if not line.startswith("#"):
                    break
                comments.append(line.lstrip("#").strip())
            title = comments[0] if comments else path.stem.replace("-", " ")
            out.append(Example(name=path.stem, title=title,
                               description=" ".join(comments[1:]), query=text))
    return out
