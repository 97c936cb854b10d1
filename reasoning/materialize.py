"""OWL 2 RL materialization into the inferred named graph, full and incremental.

Over 400 lines: the full and the incremental run share the support records (their layout,
writing, reading, attribution), and the incremental run is only right against exactly what
the full run wrote, so both stay in one module and change together.

Layout (``{inferred}`` = ``store.iris.inferred_graph``):

- ``{inferred}`` holds every entailed triple that is asserted in no graph: the closure of
  the ontology graph ∪ every asserted graph, filtered by :func:`cubegraph.reasoning.rules.keep`
  (and without blank nodes: SPARQL Update cannot name a blank node, so an inference about
  one could never be retracted). Asserted and inferred triples stay apart; the default
  graph of a query (the union) sees both.
- ``{inferred}/support`` is the bookkeeping graph: one *support record* per source graph,
  ``<{inferred}/support/{sha1(source)[:20]}>``, ``prov:wasDerivedFrom`` the source, whose
  ``rdf:value`` holds, as N-Triples text, the inferred triples that source supports, and
  whose ``dct:type`` says how they were attributed:

  ``local-closure``  exactly closure(ontology ∪ source) minus what the ontology entails
                     alone (written by :func:`update_inferences`);
  ``by-node``        from a full run: every inferred triple whose non-schema nodes all occur
                     in the source (a superset of what it supports, refined to a
                     ``local-closure`` the first time a retraction depends on it);
  ``global``         a source too large to track per triple (over ``LOCAL_LIMIT``); changing
                     it triggers a full run.

  Inferences that mention only ontology terms, or that need two sources together, go to a
  ``shared`` record that only a full run refreshes. The triples are kept as one literal,
  not as triples, so they do not appear twice in union-graph queries.

Incremental update (one cube ingested, replaced or dropped): cube descriptions only
interact through the T-box, so closure(ontology ∪ cube) gives the cube's inferences.
:func:`update_inferences` computes them, adds the new ones, and retracts the old ones that
no other source supports (checked against the support records of the sources mentioning
the same nodes). No full run yet, a changed ontology, or a source too large to track per
triple (over ``LOCAL_LIMIT``) falls back to a full run; a source without a record is a new
one (nothing of it to retract).
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, VOID, XSD

from cubegraph.reasoning._ntriples import (
    dump,
    has_bnode,
    line,
    lines,
    node_texts,
    norm_triple,
    ntriples,
    parse,
    term_text,
)
from cubegraph.reasoning.rules import (
    ENGINE,
    closure,
    fingerprint,
    is_schema,
    normalise,
    paused_gc,
    schema_nodes,
)

__all__ = ["MaterializeReport", "materialize", "update_inferences", "support_graph",
           "source_graphs", "LOCAL_LIMIT"]

#: Sources larger than this (triples) are tracked as a whole (``global``), not per triple.
LOCAL_LIMIT = 50_000

# --- SPARQL (fixed text; every value is a binding) --------------------------------------
SELECT_RUN = """
SELECT ?support ?tbox WHERE { GRAPH ?support { ?support <http://purl.org/dc/terms/hasVersion> ?tbox } }
"""
SELECT_RECORD = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?support ?source ?rec ?kind ?value WHERE {
  GRAPH ?support { ?rec prov:wasDerivedFrom ?source ; dct:type ?kind ; rdf:value ?value }
}
"""
# Graphs that mention a node: candidates for support (the caller leaves out the source,
# the ontology and the inferred ones).
SELECT_GRAPHS_MENTIONING = """
SELECT DISTINCT ?g WHERE {
  VALUES ?n { %s }
  GRAPH ?g { { ?n ?p ?o } UNION { ?s ?q ?n } }
}
"""
# Which of some triples are asserted outside the inferred graph (those must not be inferred).
SELECT_ASSERTED = """
SELECT DISTINCT ?s ?p ?o ?inferred WHERE {
  VALUES (?s ?p ?o) { %s }
  GRAPH ?g { ?s ?p ?o }
  FILTER (?g != ?inferred)
}
"""


@dataclass
class MaterializeReport:
    """What one materialization did.

    Attributes:
        mode: ``"full"`` or ``"incremental"``.
        engine: the rule engine.
        sources: number of source graphs reasoned over.
        asserted: asserted triples reasoned over: the ontology and every source in a full
            run, the one source in an incremental update.
        inferred: triples in the inferred graph afterwards.
        added: triples added to the inferred graph by this run.
        removed: triples retracted from it by this run.
        seconds: wall time, by phase (``read``, ``reason``, ``write``, ``total``).
        fallback: why an incremental update ran as a full one (``None`` when it did not).
    """

    mode: str
    engine: str = ENGINE
    sources: int = 0
    asserted: int = 0
    inferred: int = 0
    added: int = 0
    removed: int = 0
    seconds: dict = field(default_factory=dict)
    fallback: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def support_graph(store) -> URIRef:
    """IRI of the bookkeeping graph of support records."""
    return URIRef(str(store.iris.inferred_graph) + "/support")


def _record_iri(store, source) -> URIRef:
    digest = hashlib.sha1(str(source).encode("utf-8")).hexdigest()[:20]
    return URIRef(f"{support_graph(store)}/{digest}")


def source_graphs(store) -> list[URIRef]:
    """Named graphs holding asserted data: all but the ontology, shapes and inferred ones.

    The staging graphs of a full run count as inferred too: a run stopped between its loads
    and its swap leaves them behind, and the next run must not reason over them as data.
    """
    skip = {store.iris.ontology_graph, store.iris.shapes_graph, *_derived_graphs(store)}
    return [g for g in store.graphs() if g not in skip]


def _derived_graphs(store) -> tuple[URIRef, ...]:
    """The inferred graph, the support graph and their staging graphs."""
    inferred, support = store.iris.inferred_graph, support_graph(store)
    return (inferred, support, URIRef(str(inferred) + "/staging"), URIRef(str(support) + "/staging"))


# --- full run ------------------------------------------------------------------------------
def materialize(store, *, progress: bool = False) -> MaterializeReport:
    """Recompute the whole inferred graph and every support record.

    Args:
        store: a :class:`cubegraph.kg.Store` with the ontology in ``iris.ontology_graph``.
        progress: show a progress bar while reading the source graphs.

    Returns:
        A :class:`MaterializeReport`.

    Raises:
        ReasoningError: if the reasoner fails (nothing is written then).
    """
    t0 = time.perf_counter()
    report = MaterializeReport(mode="full")
    tbox = dump(store, store.iris.ontology_graph)
    sources = source_graphs(store)
    dumps = {}
    iterator = sources
    if progress:
        from tqdm import tqdm
        iterator = tqdm(sources, desc="reading graphs", unit="graph")
    for g in iterator:
        dumps[g] = dump(store, g)
    t1 = time.perf_counter()
    with paused_gc():  # millions of small tuples, no cycles: see rules.paused_gc
        result = closure([tbox, *dumps.values()])
        inferred = {t for t in result.entailed if not has_bnode(t)}
        t2 = time.perf_counter()
        records = _attribute(store, tbox, dumps, inferred)
        _write_full(store, inferred, records, fingerprint(tbox))
    t3 = time.perf_counter()
    report.sources = len(sources)
    report.asserted = len(result.base)
    report.inferred = report.added = len(inferred)
    report.seconds = {"read": t1 - t0, "reason": t2 - t1, "write": t3 - t2, "total": t3 - t0}
    return report


def _attribute(store, tbox: bytes, dumps: dict, inferred: set) -> dict:
    """Support records of a full run: ``{source_or_None: (kind, triples)}`` (None = shared).

    Speed seam: a source over :data:`LOCAL_LIMIT` triples is recorded ``global``, bypassing
    the per-node bookkeeping of every one of its triples; a change to it triggers a full
    run instead.
    ``tests/reasoning/test_fast_paths.py::test_a_source_tracked_whole_infers_what_per_triple_tracking_infers``
    holds the inferred graph equal to the one per-triple tracking gives, after full and
    incremental runs (figure: docs/benchmarks.md).
    """
    tbox_graph = parse(tbox)
    schema = schema_nodes(tbox_graph)
    owners: dict[str, set] = defaultdict(set)  # node text -> small sources mentioning it
    records: dict = {}
    for g, data in dumps.items():
        if data.count(b"\n") > LOCAL_LIMIT:
            # Tracked as a whole: a change to it triggers a full run, so its nodes need
            # no per-triple bookkeeping (which grows with the graph: the speed seam of
            # this function, see its docstring).
            records[g] = ("global", set())
            continue
        records[g] = ("by-node", set())
        for s_text, o_text in node_texts(data):
            owners[s_text].add(g)
            if o_text is not None:
                owners[o_text].add(g)
    shared = set()
    if owners:
        for t in inferred:
            nodes = [term_text(n) for n in (t[0], t[2]) if not is_schema(n, schema)]
            if not nodes:
                shared.add(t)  # only ontology terms: every source may support it
                continue
            sets = [owners.get(n) for n in nodes]
            if not any(sets):
                continue  # nodes of global sources only: full runs own these triples
            common = set.intersection(*(x or set() for x in sets))
            if not common:
                shared.add(t)  # needs two sources together: refreshed by full runs only
                continue
            for g in common:
                records[g][1].add(t)
    records[None] = ("shared", shared)
    return records


def _write_full(store, inferred: set, records: dict, tbox_hash: str) -> None:
    """Write the inferred graph and the support records of a full run, swapped in whole.

    Speed seam: both are written as N-Triples text and loaded natively, bypassing rdflib
    ``Graph`` objects and a SPARQL ``INSERT DATA`` (whose cost grows with every source's
    record); ``tests/reasoning/test_fast_paths.py::test_full_run_text_is_the_rdflib_triples``
    holds the text equal to the triples through rdflib (figure: docs/benchmarks.md).
    """
    support = support_graph(store)
    meta = [line(support, DCTERMS.hasVersion, Literal(tbox_hash)),
            line(support, DCTERMS.creator, Literal(ENGINE))]
    for source, (kind, triples) in records.items():
        meta.append(_record_text(store, source, kind, triples))
    _, _, staging, staging_support = _derived_graphs(store)
    # Load into staging graphs (transactional loads), then swap them in with one update:
    # readers see either the old inferred graph or the new one, never a half-written one.
    store.drop_graph(staging)
    store.drop_graph(staging_support)
    store.load(ntriples(inferred), format="ntriples", graph=str(staging))
    store.load("".join(meta).encode("utf-8"), format="ntriples", graph=str(staging_support))
    with store.transaction() as tx:
        tx.update(f"DROP SILENT GRAPH <{store.iris.inferred_graph}>")
        if inferred:
            tx.update(f"MOVE SILENT <{staging}> TO <{store.iris.inferred_graph}>")
        tx.update(f"MOVE SILENT <{staging_support}> TO <{support}>")
    store.drop_graph(staging)
    store.drop_graph(staging_support)



def _record_text(store, source, kind: str, triples: set) -> str:
    """A support record (see :func:`_record_triples`) as N-Triples text."""
    return "".join(line(*t) for t in _record_triples(store, source, kind, triples))


def _record_triples(store, source, kind: str, triples: set) -> list[tuple]:
    """The support record of ``source`` (``None``: the shared record) for ``triples``."""
    rec = _record_iri(store, source if source is not None else "shared")
    origin = URIRef(str(source)) if source is not None else support_graph(store)
    return [
        (rec, RDF.type, PROV.Entity),
        (rec, PROV.wasDerivedFrom, origin),
        (rec, DCTERMS.type, Literal(kind)),
        (rec, VOID.triples, Literal(len(triples), datatype=XSD.integer)),
        # Sorted: set order changes with each process's hash seed, and the same support
        # must read the same (a second `cubegraph reason` on unchanged data changes nothing).
        (rec, RDF.value, Literal("".join(sorted(lines(triples))))),
    ]


# --- incremental ----------------------------------------------------------------------------
_TSTAR_CACHE: dict[str, set] = {}


def update_inferences(store, source) -> MaterializeReport:
    """Bring the inferred graph up to date after ONE source graph was added, replaced or dropped.

    Args:
        store: the store.
        source: IRI of the named graph that changed (a cube's IRI); a graph that no longer
            exists means the source was dropped.

    Returns:
        A :class:`MaterializeReport` with mode ``"incremental"``, or ``"full"`` with
        ``fallback`` set when the update needed a full run (no run yet, the ontology
        changed, or the source is too large to track per triple).

    Raises:
        ReasoningError: if the reasoner fails (nothing is written then).
    """
    t0 = time.perf_counter()
    source = URIRef(str(source))
    tbox = dump(store, store.iris.ontology_graph)
    tbox_hash = fingerprint(tbox)
    records = _records(store)
    run = records.pop("__run__", None)
    fallback = None
    if run != tbox_hash:
        fallback = "no full run yet" if run is None else "the ontology changed since the last run"
    old_kind, old = records.get(source, (None, set()))
    if old_kind == "global":
        fallback = f"<{source}> is tracked as a whole (over {LOCAL_LIMIT} triples)"
    data = dump(store, source) if store.has_graph(source) else b""
    if data.count(b"\n") > LOCAL_LIMIT:
        fallback = f"<{source}> has over {LOCAL_LIMIT} triples"
    if fallback:
        report = materialize(store)
        report.fallback = fallback
        return report
    t1 = time.perf_counter()
    new = _local_closure(tbox, tbox_hash, data)
    candidates = old - new
    shared = records.get("shared", ("shared", set()))[1]
    doomed = candidates - shared
    refined = {}
    if doomed:
        doomed, refined = _unsupported(store, tbox, tbox_hash, source, doomed, records)
    added = new - old - _asserted(store, new - old)
    t2 = time.perf_counter()
    inferred_graph = store.iris.inferred_graph
    with store.transaction() as tx:
        tx.remove(inferred_graph, doomed)
        tx.add(inferred_graph, added)
        for src, triples in [*refined.items(), (source, new)]:
            rec = _record_iri(store, src)
            tx.update(_DROP_RECORD.format(support=support_graph(store), rec=rec))
            if src == source and not data:
                continue  # the source is gone: so is its record
            tx.add(support_graph(store), _record_triples(store, src, "local-closure", triples))
    t3 = time.perf_counter()
    report = MaterializeReport(mode="incremental", sources=1, asserted=data.count(b"\n"),
                               added=len(added), removed=len(doomed))
    report.inferred = store.count(inferred_graph)
    report.seconds = {"read": t1 - t0, "reason": t2 - t1, "write": t3 - t2, "total": t3 - t0}
    return report


# Record IRIs are minted here (sha1 hex), never user text; see _record_iri.
_DROP_RECORD = "DELETE WHERE {{ GRAPH <{support}> {{ <{rec}> ?p ?o }} }}"


def _local_closure(tbox: bytes, tbox_hash: str, data: bytes) -> set:
    """closure(T ∪ S) minus what T entails alone, without blank nodes."""
    if tbox_hash not in _TSTAR_CACHE:
        _TSTAR_CACHE.clear()
        _TSTAR_CACHE[tbox_hash] = closure([tbox]).entailed
    if not data.strip():
        return set()
    result = closure([tbox, data])
    return {t for t in result.entailed - _TSTAR_CACHE[tbox_hash] if not has_bnode(t)}


def _unsupported(store, tbox, tbox_hash, source, doomed: set, records: dict):
    """The triples of ``doomed`` that no other source supports; refined support records."""
    nodes = {n for t in doomed for n in (t[0], t[2]) if isinstance(n, URIRef)}
    refined: dict = {}
    if not nodes:
        return doomed, refined
    values = " ".join(f"<{n}>" for n in sorted(nodes))
    others = {r["g"] for r in store.query(SELECT_GRAPHS_MENTIONING % values)}
    others -= {source, store.iris.inferred_graph, support_graph(store), store.iris.ontology_graph}
    for g in sorted(others):
        kind, triples = records.get(g, (None, set()))
        if kind == "global":
            return set(), refined  # cannot tell: keep everything (a full run settles it)
        if kind != "local-closure":
            triples = _local_closure(tbox, tbox_hash, dump(store, g))
            refined[g] = triples
        doomed = doomed - triples
        if not doomed:
            break
    return doomed, refined


def _asserted(store, triples: set) -> set:
    if not triples:
        return set()
    rows = " ".join(f"({term_text(s)} {term_text(p)} {term_text(o)})" for s, p, o in triples)
    result = store.query(SELECT_ASSERTED % rows, bindings={"inferred": store.iris.inferred_graph})
    return {(r["s"], r["p"], normalise(r["o"])) for r in result}


def _records(store) -> dict:
    out: dict = {}
    support = support_graph(store)
    rows = store.query(SELECT_RUN, bindings={"support": support}).rows()
    for r in rows:
        out["__run__"] = str(r["tbox"])
    if not rows:
        return out
    for r in store.query(SELECT_RECORD, bindings={"support": support}):
        kind = str(r["kind"])
        key = "shared" if kind == "shared" else r["source"]
        out[key] = (kind, {norm_triple(t) for t in parse(str(r["value"]).encode("utf-8"))})
    return out
