"""EmbeddedStore: the default backend, pyoxigraph on local disk (or in memory).

Nothing outside this module and ``_convert`` touches pyoxigraph objects.

Adding many triples to NEW named graphs (an ingest batch) on disk uses pyoxigraph's bulk
loader, which writes new files instead of going through a transaction (what the writing
process of an ingest spends most of its time on), under a journal that keeps it
all-or-nothing per graph: the graphs are first recorded (atomically) in
:data:`UNFINISHED_LOADS`, the bulk load runs, then the record is removed (atomically).
Opening the store for writing after a crash drops every graph still recorded there: each
is then whole or absent, never partial.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from cubegraph.kg._convert import (
    OX_RDF_FORMATS,
    OX_RESULT_FORMATS,
    from_ox,
    iter_nquads,
    parse_nquads,
    to_ox,
)
from cubegraph.kg.errors import (
    QuerySyntaxError,
    RDFSyntaxError,
    StoreError,
    StoreUnavailable,
    UnknownFormat,
    UpdateRefused,
)
from cubegraph.kg.formats import holds_graphs, rdf_format
from cubegraph.kg.iris import Iris
from cubegraph.kg.sparql_text import check_nesting, names_default_graph
from cubegraph.kg.text_match import FUNCTIONS as TEXT_FUNCTIONS
from cubegraph.kg.text_match import GEOF, GEOSPARQL_FUNCTIONS
from cubegraph.kg.results import SOLUTION_FORMATS, QueryResult
from cubegraph.kg.serialize import write_dump, xml_checked
from cubegraph.kg.store import Store, read_rdf_source

#: The journal graph of unfinished bulk loads (see the module docstring); never user data.
UNFINISHED_LOADS = "urn:cubegraph:kg:unfinished-loads"
_UNFINISHED = ox.NamedNode(UNFINISHED_LOADS)
LOADING = "urn:cubegraph:kg:loading"  # <graph> LOADING LOADING, in UNFINISHED_LOADS
_LOADING = ox.NamedNode(LOADING)
#: Below this many quads a transaction is cheaper than the bulk loader's new files.
BULK_MIN_QUADS = 2_000


class _OutsideTheGraphs(Exception):
    """A quad of a bulk load is in a graph that was not checked and journaled."""


def _quads_in(texts, graphs):
    for text in texts:
        for quad in iter_nquads(text):
            if quad.graph_name not in graphs:
                raise _OutsideTheGraphs(quad.graph_name)
            yield quad


# Files RocksDB always writes into a store folder; a non-empty folder without them is
# something else that we must not scribble into.
_ROCKSDB_MARKERS = ("CURRENT", "IDENTITY")


class EmbeddedStore(Store):
    """A pyoxigraph store on disk (``path``) or in memory (``path=None``).

    Raises:
        StoreUnavailable: the path is a file, a folder that is not a store, or a store
            locked by another process.
    """

    supports_transactions = True
    native_insert = True
    extension_functions = (*(GEOF + f for f in GEOSPARQL_FUNCTIONS),
                           *(f.value for f in TEXT_FUNCTIONS))

    def __init__(self, path: str | Path | None = None, *, iris: Iris | None = None,
                 read_only: bool = False):
        super().__init__(iris)
        self.persistent = path is not None
        self.read_only = read_only
        if path is None:
            self.location = ":memory:"
            self._ox = ox.Store()
            return
        path = Path(path)
        self.location = str(path)
        _check_store_path(path, read_only=read_only)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._ox = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreUnavailable(
                    f"the store at '{path}' is in use by another process (its lock is held); "
                    "stop that process (e.g. a running 'cubegraph serve') and try again"
                ) from exc
            raise StoreUnavailable(f"cannot open the store at '{path}': {text}") from exc
        if not read_only:
            self._finish_unfinished_loads()

    # --- queries ----------------------------------------------------------------------------
    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        kwargs = {}
        if default_graph is None:
            # the union of the graphs, unless the query names its own default graph (FROM):
            # pyoxigraph's union option would override it
            if not names_default_graph(sparql):
                kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(str(g)) for g in default_graph] or ox.DefaultGraph()
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = _substitutions(bindings)
        kwargs["custom_functions"] = TEXT_FUNCTIONS  # cg:textMatch (kg/text_match.py)
        kwargs["base_iri"] = self.iris.base  # relative IRIs resolve against the store's base
        check_nesting(sparql)
        try:
            raw = self._ox.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from exc
        except RuntimeError as exc:  # e.g. a binding for a variable the SELECT does not project
            raise QuerySyntaxError(f"the query cannot run with these bindings: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the store at {self.location} failed to answer: {exc}") from exc
        return _EmbeddedResult(raw)

    def update(self, sparql: str) -> None:
        self._check_writable()
        check_nesting(sparql, "update")
        try:
            # relative IRIs (<a>) resolve against the store's base, as in its queries
            self._ox.update(sparql, base_iri=self.iris.base)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
        except RuntimeError as exc:  # what the update asks cannot be done (CREATE an existing graph)
            raise UpdateRefused(f"the update changed nothing: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the update failed and was rolled back: {exc}") from exc

    # --- bulk data ----------------------------------------------------------------------------
    def load(self, source, *, format=None, graph=None):
        self._check_writable()
        fmt, data, name = read_rdf_source(source, format)
        to_graph = None
        if graph is not None:
            if holds_graphs(fmt):
                raise RDFSyntaxError(f"{fmt} carries its own named graphs: load it without a target graph")
            to_graph = to_ox_graph(graph)
        try:
            # pyoxigraph.load is transactional: a syntax error half-way writes nothing.
            self._ox.load(data, OX_RDF_FORMATS[fmt], to_graph=to_graph)
        except SyntaxError as exc:
            raise RDFSyntaxError(f"{name} is not valid {fmt}: {exc}") from exc
        except ValueError as exc:
            raise RDFSyntaxError(f"{name} could not be loaded as {fmt}: {exc}") from exc

    def _insert_nquads(self, texts):
        """The store's native atomic insert (see :meth:`Store._insert_nquads`).

        Speed seam: bypasses the SPARQL ``INSERT DATA`` a transaction of additions would
        otherwise send (update text built, then parsed again by the store);
        ``tests/kg/test_fast_paths.py::test_native_insert_writes_what_sparql_insert_data_writes``
        holds it equal to that path (figure: docs/benchmarks.md).
        """
        self._check_writable()
        try:
            graphs = self._new_graphs(texts)
            if graphs:
                try:
                    self._journaled_bulk_load(_quads_in(texts, graphs), graphs)
                    return
                except _OutsideTheGraphs:
                    pass  # nothing was kept: do it the transactional way
            self._ox.extend([q for t in texts for q in parse_nquads(t)])  # all or nothing
        except OSError as exc:
            raise StoreError(f"the write failed and was rolled back: {exc}") from exc

    def _check_writable(self) -> None:
        # Every write path checks first: pyoxigraph's own refusal is a bare RuntimeError.
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only: nothing was "
                             "written; open it without read_only to write")

    def _new_graphs(self, texts) -> set | None:
        """The named graphs the texts write into, when the bulk path may take them: a store
        on disk, enough quads, and every graph new (empty). Read off the line ends, never
        trusted: :func:`_quads_in` stops the load at the first quad outside them."""
        if not self.persistent or sum(t.count("\n") for t in texts) < BULK_MIN_QUADS:
            return None
        ends = {parts[1] for t in texts for line in t.splitlines()
                if len(parts := line.rsplit(" ", 2)) == 3}
        try:
            graphs = {ox.NamedNode(e[1:-1]) for e in ends if e[:1] == "<" and e[-1:] == ">"}
        except ValueError:  # not an IRI: the parser will say so, on the transactional path
            return None
        if not graphs or _UNFINISHED in graphs or not all(self._is_empty(g) for g in graphs):
            return None
        return graphs

    def _is_empty(self, graph) -> bool:
        return next(iter(self._ox.quads_for_pattern(None, None, None, graph)), None) is None

    def _journaled_bulk_load(self, quads, graphs) -> None:
        """Bulk-load ``quads`` into the empty ``graphs`` under the journal (module docstring).

        Speed seam: bypasses the transactional ``extend`` for new graphs on disk;
        ``tests/kg/test_fast_paths.py::test_bulk_load_writes_what_a_transaction_writes``
        holds it equal to that path (figure: docs/benchmarks.md).
        """
        self._ox.extend([ox.Quad(g, _LOADING, _LOADING, _UNFINISHED) for g in graphs])
        try:
            self._ox.bulk_extend(quads)
        except BaseException:
            self._drop(graphs)  # they were empty: dropping them undoes this load
            raise
        self._ox.update(_unjournal(graphs))

    def _drop(self, graphs) -> None:
        # One update: the graphs and their journal records go together.
        self._ox.update(" ;\n".join([f"DROP SILENT GRAPH {g}" for g in graphs] + [_unjournal(graphs)]))

    def _finish_unfinished_loads(self) -> None:
        """After a crash during a bulk load: drop the graphs it may have left partial."""
        graphs = {q.subject for q in self._ox.quads_for_pattern(None, _LOADING, _LOADING, _UNFINISHED)}
        if graphs:
            self._drop(graphs)

    def dump(self, out=None, *, format="nquads", graph=None):
        fmt = rdf_format(format)
        kwargs = {}
        if graph is not None:
            kwargs["from_graph"] = to_ox_graph(graph)
        elif not holds_graphs(fmt):
            raise UnknownFormat(f"{fmt} cannot hold named graphs: dump one graph, or use nquads/trig")
        if fmt == "rdfxml":  # checked whole before any of it is written
            data = xml_checked(self._ox.dump(None, OX_RDF_FORMATS[fmt], **kwargs), fmt)
            return write_dump(out, data)
        if isinstance(out, (str, Path)):
            out = str(out)
        return self._ox.dump(out, OX_RDF_FORMATS[fmt], **kwargs)

    def graphs(self):
        return sorted(from_ox(g) for g in self._ox.named_graphs() if g != _UNFINISHED)

    def flush(self) -> None:
        self._ox.flush()

    def snapshot(self, target: str | Path) -> None:
        """Write a consistent copy of the store to the new folder ``target``, for readers
        to open read-only (a RocksDB checkpoint: table files hard-linked where the file
        system allows, no log to replay; see :mod:`cubegraph.kg.snapshots`).

        Raises:
            StoreError: when it cannot be written (``target`` exists, the disk is full).
        """
        if not self.persistent:
            raise StoreError("an in-memory store has no snapshot on disk")
        try:
            self._ox.backup(str(target))
        except OSError as exc:
            raise StoreError(f"cannot write a snapshot of the store to '{target}': {exc}") from exc

    def layout(self) -> tuple[str, int] | None:
        """A stamp of how the store's files are laid out now (RocksDB's current MANIFEST and
        its length: every flush, compaction or move of a table file between levels adds to
        it); None for an in-memory store or when it cannot be read."""
        if not self.persistent:
            return None
        try:
            manifest = (Path(self.location) / "CURRENT").read_text().strip()
            return manifest, (Path(self.location) / manifest).stat().st_size
        except OSError:
            return None

    def close(self) -> None:
        if getattr(self, "_ox", None) is not None:
            if self.persistent and not self.read_only:
                self._ox.flush()
            self._ox = None


def _unjournal(graphs) -> str:
    """The update removing the journal records of ``graphs`` (see the module docstring)."""
    records = " ".join(f"{g} {_LOADING} {_LOADING} ." for g in graphs)
    return f"DELETE DATA {{ GRAPH <{UNFINISHED_LOADS}> {{ {records} }} }}"


def to_ox_graph(graph):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))


def _substitutions(bindings: Mapping[str, object]) -> dict:
    return {ox.Variable(str(name).lstrip("?$")): to_ox(value) for name, value in bindings.items()}


def _check_store_path(path: Path, *, read_only: bool) -> None:
    if path.exists() and not path.is_dir():
        raise StoreUnavailable(f"'{path}' is a file, not a store folder: pick a folder path")
    if path.is_dir() and any(path.iterdir()) and not any((path / m).exists() for m in _ROCKSDB_MARKERS):
        raise StoreUnavailable(
            f"'{path}' is a non-empty folder that is not a cubegraph store: "
            "pick an empty or new folder"
        )
    if read_only and not path.exists():
        raise StoreUnavailable(f"no store at '{path}' (run 'cubegraph init' first)")


class _EmbeddedResult(QueryResult):
    def __init__(self, raw):
        self._raw = raw
        if isinstance(raw, ox.QuerySolutions):
            self.kind = "select"
            self.vars = [v.value for v in raw.variables]
        elif isinstance(raw, ox.QueryBoolean):
            self.kind = "ask"
            self.vars = []
        else:
            self.kind = "graph"
            self.vars = []

    def __iter__(self):
        if self.kind == "select":
            names = self.vars
            for solution in self._raw:
                yield {n: from_ox(solution[n]) for n in names}
        elif self.kind == "graph":
            for t in self._raw:
                yield (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
        else:
            raise TypeError("an ASK result is a boolean: use bool(result)")

    def __bool__(self):
        if self.kind == "ask":
            return bool(self._raw)
        return True

    def serialize(self, fmt: str) -> bytes:
        if self.kind == "graph":
            name = rdf_format(fmt)
            if holds_graphs(name):
                name = "ntriples" if name == "nquads" else "turtle"
            buf = io.BytesIO()
            # pyoxigraph serialises the triples natively (no Python loop over rows).
            ox.serialize(self._raw, buf, OX_RDF_FORMATS[name])
            return xml_checked(buf.getvalue(), name)
        if fmt not in OX_RESULT_FORMATS:
            raise UnknownFormat(f"unknown result format {fmt!r}: use one of {sorted(SOLUTION_FORMATS)}")
        return xml_checked(self._raw.serialize(format=OX_RESULT_FORMATS[fmt]), fmt)
