"""N-Triples text for the materializer: dumping and parsing graphs, terms and triples as text.

Private to :mod:`cubegraph.reasoning`. The materializer moves whole graphs as N-Triples (the
store dumps and loads them natively, the rule engine reads them) and keeps a support record's
triples as N-Triples text; these helpers write and read that text.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import XSD

from cubegraph.reasoning.rules import normalise

__all__ = ["dump", "parse", "norm_triple", "node_texts", "has_bnode", "term_text", "line",
           "lines", "ntriples"]


def dump(store, graph) -> bytes:
    return store.dump(format="ntriples", graph=str(graph)) or b""


def parse(data: bytes) -> Graph:
    g = Graph()
    if data.strip():
        g.parse(data=data.decode("utf-8"), format="nt")
    return g


def norm_triple(t):
    return (t[0], t[1], normalise(t[2]))


_NODE_LINE = re.compile(rb"^(<[^>]*>|_:\S+) <[^>]*> (<[^>]*>|_:\S+)?", re.M)


def node_texts(data: bytes):
    """(subject, object) node texts of each N-Triples line (object ``None`` for a literal)."""
    for m in _NODE_LINE.finditer(data):
        yield m.group(1).decode("utf-8"), (m.group(2).decode("utf-8") if m.group(2) else None)


def has_bnode(t) -> bool:
    return isinstance(t[0], BNode) or isinstance(t[2], BNode)


def _escape(text: str) -> str:
    """``text`` escaped for an N-Triples literal.

    Speed seam: chained ``str.replace``, each skipped when its character is absent, bypasses
    ``str.translate`` (which looks every character up in its table) on
    the long literals of the support records;
    ``tests/reasoning/test_fast_paths.py::test_escape_is_str_translate`` holds it equal to
    the translation (figure: docs/benchmarks.md).
    """
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def term_text(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = '"' + _escape(str(term)) + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


def lines(triples):
    return (f"{term_text(s)} {term_text(p)} {term_text(o)} .\n" for s, p, o in triples)


def ntriples(triples) -> bytes:
    return "".join(lines(triples)).encode("utf-8")


def line(s, p, o) -> str:
    return f"{term_text(s)} {term_text(p)} {term_text(o)} .\n"
