"""The store interface: named graphs, SPARQL, atomic writes, dump and restore.

Terms used here:
- *named-graph layout*: every description lives in a named graph (one per cube, per run,
  one for the ontology, one for inferences); the *default graph* of a query is the union of
  all graphs unless the caller names graphs.
- *atomic*: a write lands whole or not at all. Every write goes through a
  :class:`Transaction`, which buffers operations and hands them to the backend as ONE
  SPARQL 1.1 Update request at exit: pyoxigraph applies an update in one transaction, and a
  remote store gets one request. A transaction that only adds triples goes to a backend
  with a native atomic insert (``Store._insert_nquads``; the embedded store's is one
  pyoxigraph ``extend``, or a journaled bulk load for new graphs) instead: same outcome,
  no SPARQL text to build and parse.
- *capability flags*: callers check ``supports_transactions`` / ``persistent`` /
  ``extension_functions`` (the non-standard SPARQL functions its queries evaluate).

Backends implement a few primitives (``query``, ``update``, ``load``, ``dump``, ``graphs``,
``close``); everything else (``replace_graph``, ``graph``, ``count``, ...) is written once
here over those primitives.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rdflib import Graph, URIRef, Variable

from cubegraph.kg._convert import checked_nquads, to_ntriples_term
from cubegraph.kg.errors import GraphNotFound, InvalidTerm, RDFSyntaxError, StoreError, UnknownFormat
from cubegraph.kg.formats import guess_format, rdf_format
from cubegraph.kg.iris import Iris
from cubegraph.kg.locations import Locations
from cubegraph.kg.results import QueryResult

Triples = Graph | Iterable[tuple]

COUNT_PER_GRAPH = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
# Bound variables must be projected (pyoxigraph substitutes per SEP-0007), hence ?g here.
COUNT_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK_GRAPH = "ASK { GRAPH ?g { ?s ?p ?o } }"
CONSTRUCT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class Store(ABC):
    """A quad store of named graphs behind one small interface.

    Attributes:
        iris: the IRI minter for this store's base IRI.
        supports_transactions: whether a multi-operation write is applied atomically.
        persistent: whether data survives a restart.
        location: where the data lives (a path, a URL, or ``":memory:"``).
        locations: where the files its records name are (a declared data root or none).
    """

    supports_transactions: bool = True
    extension_functions: tuple[str, ...] = ()  # IRIs; a remote server states its own
    persistent: bool = False
    location: str = ":memory:"
    locations: Locations = Locations()  # no data root unless open_store is given one

    def __init__(self, iris: Iris | None = None):
        self.iris = iris or Iris()

    # --- primitives every backend implements -------------------------------------------
    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        Args:
            sparql: the query text. Never format user input into it: use ``bindings``.
            bindings: values for variables of the query (``{"cube": URIRef(...)}``);
                plain Python values become literals. The value replaces the variable
                everywhere (SEP-0007 substitution); in a SELECT, a bound variable must be
                in the projection.
            default_graph: graphs forming the default graph; ``None`` = union of all graphs.
            named_graphs: graphs visible to ``GRAPH``; ``None`` = all.

        Raises:
            QuerySyntaxError: if the query does not parse.
            InvalidTerm: if a binding is not a valid RDF term.
        """

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update, atomically.

        Raises:
            QuerySyntaxError: if the update does not parse (nothing is written).
        """

    @abstractmethod
    def load(self, source: str | Path | bytes | BinaryIO, *, format: str | None = None,
             graph: str | None = None) -> None:
        """Load RDF (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD), atomically.

        Args:
            source: a file path, or the data itself as bytes / a binary stream.
            format: a name of :data:`cubegraph.kg.formats.RDF_FORMATS`; guessed from a path's
                extension when ``None``.
            graph: the named graph for triple formats (default graph when ``None``).

        Raises:
            RDFSyntaxError: the data does not parse (nothing is written).
            UnknownFormat: the format is not known or cannot be guessed.
            FileNotFoundError: the path does not exist.
        """

    @abstractmethod
    def dump(self, out: str | Path | BinaryIO | None = None, *, format: str = "nquads",
             graph: str | None = None) -> bytes | None:
        """Write the whole dataset (``nquads``/``trig``) or one graph (any RDF format).

        Returns:
            the bytes when ``out`` is ``None``. ``rdfxml`` raises ``FormatCannotCarry`` (and
            writes nothing) for a literal XML 1.0 cannot hold (``kg.serialize.xml_checked``).
        """

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """IRIs of all named graphs, sorted."""

    @abstractmethod
    def close(self) -> None:
        """Release the store (file locks, connections)."""

    # --- template methods written once over the primitives --------------------------------
    def transaction(self) -> "Transaction":
        """A buffer of writes applied as one atomic update when the ``with`` block ends."""
        return Transaction(self)

    def replace_graph(self, graph_iri: str, triples: Triples) -> None:
        """Replace a named graph's content with ``triples``, atomically."""
        with self.transaction() as tx:
            tx.replace_graph(graph_iri, triples)

    def add(self, graph_iri: str | None, triples: Triples) -> None:
        """Add triples to a named graph (the default graph when ``None``), atomically."""
        with self.transaction() as tx:
            tx.add(graph_iri, triples)

    def add_nquads(self, text: str) -> None:
        """Add quads given as N-Quads text, atomically (see :meth:`Transaction.add_nquads`)."""
        with self.transaction() as tx:
            tx.add_nquads(text)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph; a missing graph is not an error."""
        with self.transaction() as tx:
            tx.drop_graph(graph_iri)

    def has_graph(self, graph_iri: str) -> bool:
        """True when the named graph exists and holds at least one triple."""
        return bool(self.query(ASK_GRAPH, bindings={"g": URIRef(str(graph_iri))}))

    def graph(self, graph_iri: str) -> Graph:
        """The triples of one named graph as an rdflib Graph.

        Raises:
            GraphNotFound: if the store has no graph of that IRI.
        """
        if not self.has_graph(graph_iri):
            raise GraphNotFound(f"no named graph <{graph_iri}> in the store at {self.location}")
        g = self.query(CONSTRUCT_GRAPH, bindings={"g": URIRef(str(graph_iri))}).graph()
        return g

    def find_graph(self, graph_iri: str) -> Graph | None:
        """Like :meth:`graph`, but ``None`` for a missing graph."""
        try:
            return self.graph(graph_iri)
        except GraphNotFound:
            return None

    def count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph, or quads in the whole dataset when ``None``."""
        if graph_iri is None:
            rows = self.query(COUNT_DEFAULT).rows()
        else:
            rows = self.query(COUNT_GRAPH, bindings={"g": URIRef(str(graph_iri))}).rows()
        return int(rows[0]["n"]) if rows else 0

    def stats(self) -> dict[str, int]:
        """Triples per named graph, and ``""`` for the default graph when it is not empty
        and can be counted (a remote server that does not query the union by default cannot
        say; the named graphs are still reported rather than failing the whole summary)."""
        out = {str(r["g"]): int(r["n"]) for r in self.query(COUNT_PER_GRAPH)}
        try:
            default = self.default_graph_count()
        except StoreError:
            default = 0
        if default:
            out[""] = default
        return out

    def default_graph_count(self) -> int:
        """Triples in the default graph itself (not the union)."""
        rows = self.query(COUNT_DEFAULT, default_graph=[]).rows()
        return int(rows[0]["n"]) if rows else 0

    # Backends with a native atomic insert override this (and set the flag); the
    # transaction then skips SPARQL for add-only writes.
    native_insert: bool = False

    def _insert_nquads(self, texts: list[str]) -> None:
        """Add the quads of every N-Quads text in ONE atomic native write (blank node
        labels scoped to each text).

        Raises:
            RDFSyntaxError: a text does not parse (nothing is written).
        """
        raise NotImplementedError(f"{type(self).__name__} has no native insert")

    def restore(self, source: str | Path | bytes | BinaryIO, *, format: str = "nquads") -> None:
        """Load a dump (N-Quads or TriG) back, atomically."""
        self.load(source, format=format)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"


@dataclass(frozen=True)
class _Addition:
    """Triples or quads to add: N-Triples of validated terms for one graph (from ``add``),
    or a caller's N-Quads text (from ``add_nquads``, parsed before it goes anywhere)."""

    graph: str | None = None  # the graph of ``triples`` (None: the default graph)
    triples: str | None = None  # lines "s p o .\n", written by pyoxigraph
    nquads: str | None = None

    def as_nquads(self) -> str:
        if self.nquads is not None:
            return self.nquads
        if self.graph is None:
            return self.triples
        # Our own lines: a raw newline only ever ends a statement (literals escape theirs).
        return self.triples.replace(" .\n", f" {_iri(self.graph)} .\n")


class Transaction:
    """Writes buffered, applied in one atomic request at exit.

    Commit on a clean exit of the ``with`` block; on an exception nothing is sent, so the
    store is left exactly as it was. Terms are serialised by pyoxigraph (which validates
    IRIs), never pasted as raw text; N-Quads text given to :meth:`add_nquads` is parsed
    before it reaches the store. A transaction that only adds goes to the backend's native
    atomic insert when it has one (the embedded store's, see ``kg/embedded.py``), else every
    operation becomes ONE SPARQL 1.1 Update request.

    Example:
        >>> from cubegraph.kg import open_store
        >>> from rdflib import URIRef, Literal
        >>> s = open_store(None)
        >>> with s.transaction() as tx:
        ...     tx.add("http://ex.org/g", [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(1))])
        >>> s.count("http://ex.org/g")
        1
    """

    def __init__(self, store: Store):
        self.store = store
        self.operations: list[str | _Addition] = []
        self.committed = False

    def replace_graph(self, graph_iri: str, triples: Triples) -> None:
        self.drop_graph(graph_iri)
        self.add(graph_iri, triples)

    def drop_graph(self, graph_iri: str) -> None:
        self.operations.append(f"DROP SILENT GRAPH {_iri(graph_iri)}")

    def add(self, graph_iri: str | None, triples: Triples) -> None:
        body = _triples_text(triples)
        if body:
            self.operations.append(_Addition(graph=_graph(graph_iri), triples=body + "\n"))

    def add_nquads(self, text: str) -> None:
        """Add quads given as N-Quads text: the fast path for writers that serialise their
        own descriptions (a quad without a graph goes to the default graph). Blank node
        labels are scoped to this one text, as in one SPARQL ``INSERT DATA``.

        Raises (at commit; nothing is written):
            RDFSyntaxError: the text is not N-Quads.
        """
        if text.strip():
            self.operations.append(_Addition(nquads=text))

    def remove(self, graph_iri: str, triples: Triples) -> None:
        body = _triples_text(triples)
        if body:
            self.operations.append(f"DELETE DATA {{ GRAPH {_iri(graph_iri)} {{\n{body}\n}} }}")

    def update(self, sparql: str) -> None:
        """Append a SPARQL Update of the caller's (fixed text; no user input pasted in)."""
        self.operations.append(sparql.strip().rstrip(";"))

    def commit(self) -> None:
        if self.operations and not self.committed:
            ops = self.operations
            if self.store.native_insert and all(isinstance(op, _Addition) for op in ops):
                self.store._insert_nquads([op.as_nquads() for op in ops])
            else:
                self.store.update(" ;\n".join(_sparql(op) for op in ops))
        self.committed = True

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        # On error: drop the buffer; nothing was sent, so nothing needs rolling back.
        self.operations.clear()


def _graph(graph_iri: str | None) -> str | None:
    if graph_iri is None:
        return None
    _iri(graph_iri)  # an invalid graph IRI fails here, with InvalidTerm
    return str(graph_iri)


def _sparql(op: str | _Addition) -> str:
    if isinstance(op, str):
        return op
    if op.triples is not None:
        return _insert_data(op.graph, op.triples)
    # A caller's text: parsed, and written back from the parsed terms, never pasted.
    return " ;\n".join(_insert_data(g, body) for g, body in checked_nquads(op.nquads).items())


def _insert_data(graph: str | None, body: str) -> str:
    if graph is None:
        return "INSERT DATA {\n" + body + "\n}"
    return f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{body}\n}} }}"


def read_rdf_source(source, format: str | None) -> tuple[str, bytes, str]:
    """What ``Store.load`` was given, as (format name, bytes, a name for messages).

    Raises:
        FileNotFoundError: the path does not exist.
        RDFSyntaxError: the path is a folder.
        UnknownFormat: the format is unknown, or cannot be guessed (bytes need a name).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such RDF file: '{path}'")
        if path.is_dir():
            raise RDFSyntaxError(f"'{path}' is a folder, not an RDF file")
        fmt = rdf_format(format) if format else guess_format(path)
        return fmt, path.read_bytes(), str(path)
    if format is None:
        raise UnknownFormat("the format of RDF data given as bytes must be named")
    return rdf_format(format), (source if isinstance(source, bytes) else source.read()), "the data"


def _iri(value: str) -> str:
    return to_ntriples_term(URIRef(str(value)))


def _triples_text(triples: Triples) -> str:
    lines = []
    # Subjects and predicates repeat a lot within a graph: convert (and validate) each
    # distinct term once.
    cache: dict = {}

    def text(term) -> str:
        out = cache.get(term)
        if out is None:
            if isinstance(term, Variable):
                raise InvalidTerm(f"variables cannot be stored: {term!r}")
            out = cache[term] = to_ntriples_term(term)
        return out

    for triple in triples:
        if len(triple) != 3:
            raise InvalidTerm(f"expected a triple (s, p, o), got {triple!r}")
        s, p, o = triple
        lines.append(f"{text(s)} {text(p)} {text(o)} .")
    return "\n".join(lines)
