"""The OWL 2 RL engine behind materialization, and the fragment cubegraph materialises.

The rules themselves run in ``reasonable`` (a Rust OWL 2 RL reasoner, PyPI
``reasonable==0.4.4``) instead of ``owlrl`` (pure Python, the reference, far too slow for
the closure of a whole store); reasonable agrees with owlrl on every triple cubegraph
keeps (:func:`closure` is the seam; docs/benchmarks.md has the figures). This module owns
the thin adapter (N-Triples files in, rdflib triples out) and the *profile*: which
entailed triples are worth writing to the inferred graph.

What the profile leaves out, and why (docs/reasoning.md lists the same):

- ``?x rdf:type owl:Thing``: reasonable types every node with owl:Thing (owlrl does not);
  it is true of everything, so it answers no question and would add one triple per node.
- ``?x rdf:type _:b`` where ``_:b`` is a blank node: memberships in anonymous class
  expressions of the ontology (the ``∃cg:measures.X`` restrictions, unions). Their blank
  node labels belong to the ontology graph and mean nothing elsewhere.
- Triples with a literal subject, reflexive ``owl:sameAs``, ``rdfs:Datatype`` typing of the
  XSD/RDF datatypes and the other axiomatic triples of owlrl: reasonable never derives them.
"""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from cubegraph.reasoning.errors import ReasoningError

__all__ = ["ENGINE", "Closure", "closure", "keep", "schema_nodes", "normalise", "paused_gc"]

#: Name and version of the rule engine, recorded with every materialization.
ENGINE = "reasonable 0.4.4 (OWL 2 RL)"

_OWL_THING = OWL.Thing
_XSD_STRING = XSD.string
# Vocabulary nodes: never owned by a source graph (see schema_nodes).
_BUILTIN_NS = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
               "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")


def normalise(term):
    """The store's view of a term: an ``xsd:string`` literal is a simple literal (RDF 1.1)."""
    if isinstance(term, Literal) and term.datatype == _XSD_STRING and not term.language:
        return Literal(str(term))
    return term


def keep(triple: tuple) -> bool:
    """True when an entailed triple belongs in the inferred graph (see the module docstring)."""
    s, p, o = triple
    if isinstance(s, Literal):
        return False
    if p == RDF.type and (o == _OWL_THING or isinstance(o, BNode)):
        return False
    if p == OWL.sameAs and s == o:
        return False
    return True


class Closure:
    """The result of one reasoner run.

    Attributes:
        base: the input triples (normalised).
        entailed: every triple of the closure that is not in ``base`` and passes :func:`keep`.
    """

    def __init__(self, base: set, entailed: set):
        self.base = base
        self.entailed = entailed


def closure(sources: Iterable[bytes | str | Path]) -> Closure:
    """Compute the OWL 2 RL closure of the union of N-Triples documents.

    Args:
        sources: N-Triples as bytes, or paths of N-Triples / Turtle files. Blank-node labels
            are kept as written, so a label dumped from the store names the same node when
            the result is written back.

    Returns:
        The input and the new triples, as normalised rdflib terms.

    Raises:
        ReasoningError: if the engine is missing or cannot parse an input.

    Speed seam: bypasses ``owlrl``, the pure-Python reference engine;
    ``tests/reasoning/test_materialize.py::test_lubm_closure_matches_owlrl`` (and
    ``test_cube_closure_matches_owlrl``) hold the closure equal to owlrl's on every triple
    cubegraph keeps (figure: docs/benchmarks.md).
    """
    try:
        import reasonable
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ReasoningError(
            "the OWL 2 RL engine is not installed: pip install reasonable==0.4.4"
        ) from exc
    reasoner = reasonable.PyReasoner()
    with tempfile.TemporaryDirectory(prefix="cubegraph-reason-") as tmp, paused_gc():
        paths, parts = [], []
        for source in sources:
            if isinstance(source, (bytes, bytearray)):
                if source.strip():
                    parts.append(source if source.endswith(b"\n") else source + b"\n")
            else:
                paths.append(str(source))
        if parts:
            # One file for all the N-Triples documents: the engine's per-file cost (and one
            # temporary file per source graph) dominated full runs over 10,000 small graphs.
            # Blank-node labels are kept as written either way, so this changes nothing.
            path = os.path.join(tmp, "sources.ttl")
            with open(path, "wb") as fh:
                fh.writelines(parts)
            paths.insert(0, path)
        _load_files(reasoner, paths)
        result = reasoner.reason()
        base = {(s, p, normalise(o)) for s, p, o in reasoner.get_base_triples()}
        entailed = set()
        for s, p, o in result:
            t = (s, p, normalise(o))
            if t not in base and keep(t):
                entailed.add(t)
    return Closure(base, entailed)


def _load_files(reasoner, paths: list[str]) -> None:
    """Give the engine its input files, read by its own (Rust) parser.

    Speed seam: bypasses ``PyReasoner.from_graph``, which takes rdflib terms (every triple
    parsed by rdflib first, then converted term by term);
    ``tests/reasoning/test_fast_paths.py::test_the_engines_parser_gives_the_closure_of_rdflib_terms``
    holds the closure equal to the one of the same triples given as rdflib terms
    (figure: docs/benchmarks.md).
    """
    for path in paths:
        try:
            reasoner.load_file(path)
        except Exception as exc:  # the engine raises plain exceptions
            raise ReasoningError(f"the reasoner could not read its input: {exc}") from exc


@contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector for a bulk conversion.

    Building sets of a million triples of rdflib terms triggers the collector over and over
    (each pass walks every tuple alive, and the work grows with the store); none of these
    objects form cycles, so pausing it is safe and changes no result. The previous state is
    restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def schema_nodes(tbox: Iterable[tuple]) -> frozenset:
    """Nodes of the T-box: every IRI the ontology mentions, plus RDF/RDFS/OWL/XSD terms.

    A source graph never *owns* such a node: inferences that mention only schema nodes
    (and literals) are shared by every source (see :mod:`cubegraph.reasoning.materialize`).
    """
    nodes = set()
    for s, p, o in tbox:
        for term in (s, p, o):
            if isinstance(term, URIRef):
                nodes.add(term)
    return frozenset(nodes)


def is_schema(term, schema: frozenset) -> bool:
    """True for literals, schema nodes and built-in vocabulary terms."""
    if isinstance(term, Literal):
        return True
    if term in schema:
        return True
    return isinstance(term, URIRef) and str(term).startswith(_BUILTIN_NS)


def fingerprint(data: bytes) -> str:
    """A short hash of what N-Triples say (to notice that the ontology changed since the last run).

    Blank-node labels do not count: the ontology's restrictions and lists are blank nodes,
    which the store labels afresh on every load, so the same ontology loaded again (each
    ``cubegraph init``, or another store) has the same fingerprint. Hashing the dump as it
    came made every reload look like a new ontology: the next incremental update fell back
    to a full run, and two stores with the same data wrote different support graphs.

    Speed seam: bypasses rdflib's canonical labelling (``rdflib.compare.to_canonical_graph``)
    with colour refinement: each blank node is named by a hash of the triples around it,
    refined until the names stop splitting. That tells apart every two graphs whose blank
    nodes form trees (restrictions, lists, axioms: all an OWL ontology in RDF has); two graphs
    get the same fingerprint exactly when rdflib calls them isomorphic, which
    ``tests/reasoning/test_fast_paths.py::test_the_ontology_fingerprint_is_equal_exactly_when_rdflib_says_isomorphic``
    holds on reloads and on edits inside the blank nodes.
    """
    triples = []
    for line in data.decode("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            s, p, rest = line.split(" ", 2)
            triples.append((s, p, rest.rstrip().removesuffix(".").rstrip()))
    blanks = {t for s, _, o in triples for t in (s, o) if t.startswith("_:")}
    colour = dict.fromkeys(blanks, "")

    def name(term: str) -> str:
        return "_:" + colour[term] if term in colour else term

    classes = 1
    for _ in range(len(blanks) + 1):
        around: dict[str, list[str]] = {b: [colour[b]] for b in blanks}
        for s, p, o in triples:
            if s in colour:
                around[s].append(f"> {p} {name(o)}")
            if o in colour:
                around[o].append(f"< {p} {name(s)}")
        colour = {b: hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()[:24]
                  for b, v in around.items()}
        if len(set(colour.values())) == classes:
            break
        classes = len(set(colour.values()))
    lines = sorted(f"{name(s)} {p} {name(o)}" for s, p, o in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]
