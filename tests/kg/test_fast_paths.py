"""kg's speed seams give what the plain paths they bypass give, on real stores.

Each test runs a fast path and the plain path beside it on the same input (the ontology's
own triples, with blank nodes, language tags and datatypes, plus literals chosen to break
text formats) and compares what comes out. docs/benchmarks.md, "Why the fast paths exist",
lists the seams and why each exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.kg.embedded import BULK_MIN_QUADS, UNFINISHED_LOADS, EmbeddedStore
from cubegraph.kg.records import _ntriples
from cubegraph.kg.records._sparql import fast_rows, fast_table
from cubegraph.ontology import load_ontology
from cubegraph.ontology import namespaces as ns

ROOT = Path(__file__).resolve().parents[2]
G1, G2 = "http://test.example/g1", "http://test.example/g2"
P = URIRef("http://test.example/p")
TRICKY = [Literal('quote " backslash \\ newline \n return \r tab \t end'),
          Literal("üñíçødé ☃ \U0001F30D"), Literal("hallo", lang="de-AT"), Literal(""),
          Literal("2020-01-01T00:00:00", datatype=XSD.dateTime), Literal(1.5), Literal(True),
          Literal("x", datatype=XSD.string), Literal("a},{b"), Literal("<result>")]


def _ontology_and_tricky() -> Graph:
    g = load_ontology()
    for i, value in enumerate(TRICKY):
        g.add((URIRef(f"http://test.example/s{i}"), P, value))
        g.add((BNode(), P, value))
    return g


def _as_one_graph(store) -> Graph:
    """The store's quads as one rdflib Graph (graph name folded into the predicate), so
    that isomorphism also compares which blank nodes are shared between graphs."""
    ds = Dataset()
    ds.parse(data=store.dump(format="nquads"), format="nquads")
    out = Graph()
    for s, p, o, g in ds.quads():
        out.add((s, URIRef(f"urn:graph:{quote(str(g), safe='')}#{quote(str(p), safe='')}"), o))
    return out


# --- _Terms: term texts cached per namespace ---------------------------------------------------

_NAMESPACES = {"CG": ns.CG, "DCAT": ns.DCAT, "DCTERMS": ns.DCTERMS, "GEO": ns.GEO,
               "PROV": ns.PROV, "QB": ns.QB, "QUDT": ns.QUDT, "RDF": ns.RDF, "RDFS": ns.RDFS}


def _terms_the_writers_use() -> set[tuple[str, str]]:
    used = set()
    for path in (ROOT / "kg" / "records").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "_ntriples import" in text:
            used |= set(re.findall(r"\b(" + "|".join(_NAMESPACES) + r")\.([A-Za-z_]\w*)", text))
    return used


def test_term_texts_are_the_namespace_terms():
    used = _terms_the_writers_use()
    assert len(used) > 40  # the describers' vocabulary, not an empty scan
    for prefix, name in sorted(used):
        namespace = _NAMESPACES[prefix]
        fresh = _ntriples._Terms(namespace)
        want = f"<{getattr(namespace, name)}>"
        assert getattr(fresh, name) == want == getattr(fresh, name), (prefix, name)  # cached
        assert getattr(getattr(_ntriples, prefix), name) == want, (prefix, name)
    # A closed namespace refuses an unknown term through the cache as it does itself.
    with pytest.raises(AttributeError):
        getattr(ns.CG, "noSuchTerm")
    with pytest.raises(AttributeError):
        getattr(_ntriples._Terms(ns.CG), "noSuchTerm")


# --- fast_rows / fast_table: query answers without rdflib terms -------------------------------

QUERY = """SELECT ?s ?p ?o ?missing WHERE {
  GRAPH ?g { ?s ?p ?o } OPTIONAL { ?o <http://test.example/nothing> ?missing }
} ORDER BY ?s ?p ?o"""


@pytest.fixture(scope="module")
def store():
    s = open_store(None, base_iri="http://test.example/")
    init_store(s)
    s.add(G1, [(URIRef(f"http://test.example/s{i}"), P, v) for i, v in enumerate(TRICKY)])
    yield s
    s.close()


def _plain_rows(store, query):
    return [dict(r) for r in store.query(query)]


def test_fast_rows_are_the_plain_rows(store):
    plain = _plain_rows(store, QUERY)
    fast = fast_rows(store, QUERY, {})
    assert len(plain) > 1000
    kinds = {type(v) for row in plain for v in row.values()}
    assert {URIRef, BNode, Literal, type(None)} <= kinds  # every kind of value is compared
    # The fast rows: literals as their lexical form, every other value as the plain row's.
    assert fast == [{k: str(v) if isinstance(v, Literal) else v for k, v in row.items()}
                    for row in plain]
    # Bindings travel the same way through both.
    bound = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert fast_rows(store, bound, {"s": URIRef(f"{G1}/x")}) == []
    s2 = URIRef("http://test.example/s2")
    assert fast_rows(store, bound, {"s": s2}) == [{"s": s2, "p": P, "o": "hallo"}]


def test_fast_table_is_the_plain_rows_as_text(store):
    def text(value):
        if value is None or value == Literal(""):
            return None  # CSV cannot tell an empty literal from an unbound value
        return f"_:{value}" if isinstance(value, BNode) else str(value)

    plain = _plain_rows(store, QUERY)
    table = fast_table(store, QUERY, {}, iris=("p",))
    assert table == [{k: (URIRef(text(v)) if k == "p" else text(v)) for k, v in row.items()}
                     for row in plain]
    assert all(type(row["p"]) is URIRef for row in table)


# --- the native insert and the journaled bulk load ----------------------------------------------

def _nquads(graph: Graph, *graph_iris: str) -> str:
    """N-Quads of ``graph`` in each of ``graph_iris``, each copy with its own blank nodes
    (one SPARQL ``INSERT DATA``, the plain path, cannot share a blank node between graphs)."""
    ds = Dataset()
    for g in graph_iris:
        ds.graph(URIRef(g)).__iadd__(_fresh_blank_nodes(graph))
    return ds.serialize(format="nquads")


def _fresh_blank_nodes(graph: Graph) -> Graph:
    fresh: dict = {}
    out = Graph()
    for triple in graph:
        out.add(tuple(fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t for t in triple))
    return out


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_native_insert_writes_what_sparql_insert_data_writes(tmp_path, where):
    tricky = Graph()
    for i, value in enumerate(TRICKY):
        tricky.add((URIRef(f"http://test.example/s{i}"), P, value))
        tricky.add((BNode(), P, value))
    stores = []
    for native in (True, False):
        store = open_store(tmp_path / f"store-{native}" if where == "disk" else None)
        store.native_insert = native  # False: the transaction sends one SPARQL update
        with store.transaction() as tx:
            tx.add(G1, tricky)
            tx.add(None, [(BNode(), P, Literal("default graph"))])
            tx.add_nquads(_nquads(_fresh_blank_nodes(tricky), G2) + f'_:n <{P}> "text" <{G1}> .\n')
        stores.append(store)
    native, plain = stores
    assert native.stats() == plain.stats() and native.count(G1) == len(tricky) + 1
    assert isomorphic(_as_one_graph(native), _as_one_graph(plain))
    for store in stores:
        store.close()


def test_bulk_load_writes_what_a_transaction_writes(tmp_path, monkeypatch):
    text = _nquads(_ontology_and_tricky(), G1, G2)
    assert text.count("\n") >= BULK_MIN_QUADS
    loads = []
    real = EmbeddedStore._journaled_bulk_load

    def counted(self, quads, graphs):
        loads.append(sorted(map(str, graphs)))
        return real(self, quads, graphs)

    monkeypatch.setattr(EmbeddedStore, "_journaled_bulk_load", counted)
    bulk = open_store(tmp_path / "bulk")
    bulk.add_nquads(text)
    assert loads == [[f"<{G1}>", f"<{G2}>"]]  # the bulk path ran, on both new graphs
    in_memory = open_store(None)  # a transaction (pyoxigraph extend)
    in_memory.add_nquads(text)
    as_update = open_store(tmp_path / "update")  # one SPARQL INSERT DATA
    as_update.native_insert = False
    as_update.add_nquads(text)
    assert len(loads) == 1
    assert not bulk.has_graph(UNFINISHED_LOADS)
    want = _as_one_graph(in_memory)
    assert len(want) == sum(1 for line in text.splitlines() if line.strip())
    assert isomorphic(_as_one_graph(bulk), want)
    assert isomorphic(_as_one_graph(as_update), want)
    for store in (bulk, in_memory, as_update):
        store.close()
