"""N-Triples text for the noun writers whose volume makes an rdflib ``Graph`` too slow.

Private to :mod:`cubegraph.kg.records`. Ingest writes a cube's description as N-Triples text
(validated and loaded as text): this bypasses rdflib's per-triple ``Graph.add``; the text is
held equal to the same triples built through rdflib by ``tests/ingest/test_describe_text.py``.
"""

from __future__ import annotations

import itertools
import math
import uuid
from pathlib import Path
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef

from cubegraph.ontology import namespaces as _ns


class _Terms:
    """A namespace whose terms come as N-Triples text (``CG.size`` -> ``"<...#size>"``),
    each looked up once.

    Speed seam: bypasses rdflib's ``DefinedNamespace`` lookup (which resolves and checks
    the term on every attribute access) for the few terms every triple repeats;
    ``tests/kg/test_fast_paths.py::test_term_texts_are_the_namespace_terms`` holds each
    text equal to the namespace's own term (figure: docs/benchmarks.md).
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        term = f"<{getattr(self._namespace, name)}>"
        setattr(self, name, term)
        return term

    def __getitem__(self, name):
        return f"<{self._namespace[name]}>"


CG, DCAT, DCTERMS, DQV, GEO, OA, PROV, QB, QUDT, RDF, RDFS = (
    _Terms(n) for n in (_ns.CG, _ns.DCAT, _ns.DCTERMS, _ns.DQV, _ns.GEO, _ns.OA, _ns.PROV, _ns.QB,
                        _ns.QUDT, _ns.RDF, _ns.RDFS)
)
XSD = _ns.XSD  # datatypes: typed literals are made by rdflib, for its exact lexical forms

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt(term) -> str:
    """One rdflib term as N-Triples. IRIs are not checked here: the SHACL engine and the
    store both parse the text, so an invalid one fails that cube with the parser's message."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        return text if term.datatype is None else f"{text}^^<{term.datatype}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def ntriples(triples) -> str:
    """N-Triples text of rdflib triples; duplicates dropped, order kept."""
    return "".join(dict.fromkeys(f"{nt(s)} {nt(p)} {nt(o)} .\n" for s, p, o in triples))


def lit(value) -> str:
    """A literal as rdflib's ``Literal(value)`` would be: strings fast, the rest by rdflib."""
    if type(value) is str:
        return '"' + value.translate(_ESCAPES) + '"'
    return nt(Literal(value))


def typed(lexical, datatype: URIRef) -> str:
    return nt(Literal(lexical, datatype=datatype))


def date_time(text: str) -> str:
    """An ``xsd:dateTime`` literal written as given: ingest's are UTC with a ``Z``
    (:func:`cubegraph.ingest.cubes.times.iso`), the canonical XSD form, which rdflib's
    normalising ``Literal`` would rewrite as ``+00:00``."""
    return nt(Literal(text, datatype=_ns.XSD.dateTime, normalize=False))


def iri(value) -> str:
    return f"<{value}>"


_bnode_ids = itertools.count()
_BNODE_PREFIX = "b" + uuid.uuid4().hex[:12]  # per process: workers never share labels


def bnode() -> str:
    return f"_:{_BNODE_PREFIX}x{next(_bnode_ids)}"


class Lines(list):
    """The N-Triples lines of a description; ``add`` takes a triple of N-Triples terms."""

    def add(self, triple: tuple[str, str, str]) -> None:
        self.append(f"{triple[0]} {triple[1]} {triple[2]} .\n")


def num_literal(value: float | int) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if math.isnan(value) or math.isinf(value):
        return Literal(str(value).replace("nan", "NaN").replace("inf", "INF"), datatype=XSD.double)
    return Literal(repr(float(value)), datatype=XSD.double)


def deg_literal(value: float) -> Literal:
    # Decimal degrees, rounded to ~0.1 m so float noise never changes the triples.
    text = f"{value:.6f}".rstrip("0")
    return Literal(text + "0" if text.endswith(".") else text, datatype=XSD.decimal)


def num(value: float | int) -> str:
    return nt(num_literal(value))


def deg(value: float) -> str:
    return nt(deg_literal(value))


def file_iri(path: Path) -> str:
    return iri("file://" + quote(str(path.absolute())))


