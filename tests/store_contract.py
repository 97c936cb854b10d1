"""The store contract: behaviour every Store backend must honour (xarray's DatasetIOBase idea).

Subclasses in tests/kg provide a ``store`` fixture per backend."""

from __future__ import annotations

import io

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.compare import isomorphic

from cubegraph.kg import (
    GraphNotFound,
    InvalidTerm,
    QuerySyntaxError,
    RDFSyntaxError,
    UnknownFormat,
    open_store,
)

EX = "http://ex.org/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")
A, B, P = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "p")


def triples(n: int, subject=A):
    return [(subject, P, Literal(i)) for i in range(n)]


class StoreContract:
    """Behaviour every Store backend must honour; subclasses provide the `store` fixture."""

    def test_replace_graph_replaces_only_that_graph(self, store):
        store.replace_graph(G1, triples(3))
        store.replace_graph(G2, triples(2, B))
        store.replace_graph(G1, triples(1))
        assert store.count(G1) == 1
        assert store.count(G2) == 2
        assert store.graphs() == [G1, G2]

    def test_add_appends(self, store):
        store.add(G1, triples(2))
        store.add(G1, [(B, P, Literal("x"))])
        assert store.count(G1) == 3

    def test_graph_returns_rdflib_graph(self, store):
        g = Graph()
        bnode = BNode()
        g.add((A, P, bnode))
        g.add((bnode, P, Literal("multi\nline \"quoted\"", lang="en")))
        g.add((A, P, Literal("3.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
        store.replace_graph(G1, g)
        assert isomorphic(store.graph(G1), g)

    def test_missing_graph_raises_or_returns_none(self, store):
        with pytest.raises(GraphNotFound, match="no named graph <http://ex.org/nope>"):
            store.graph(EX + "nope")
        assert store.find_graph(EX + "nope") is None
        assert not store.has_graph(EX + "nope")

    def test_select_ask_construct(self, store):
        store.replace_graph(G1, triples(3))
        rows = store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o").rows()
        assert [int(r["o"]) for r in rows] == [0, 1, 2]
        assert bool(store.query("ASK { ?s ?p 2 }"))
        assert not bool(store.query("ASK { ?s ?p 99 }"))
        g = store.query("CONSTRUCT WHERE { ?s ?p ?o }").graph()
        assert len(g) == 3

    def test_bindings_are_terms_not_text(self, store):
        store.replace_graph(G1, [(A, P, Literal("x")), (B, P, Literal("y"))])
        evil = 'x" } UNION { ?s ?p ?o } #'
        rows = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": evil}).rows()
        assert rows == []
        rows = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": Literal("y")}).rows()
        assert [r["s"] for r in rows] == [B]

    def test_malformed_query_is_a_clear_error(self, store):
        with pytest.raises(QuerySyntaxError, match="malformed SPARQL query"):
            store.query("SELEC ?x WHERE { ?x ?p ?o }")

    def test_failed_update_changes_nothing(self, store):
        store.replace_graph(G1, triples(2))
        with pytest.raises(QuerySyntaxError, match="malformed SPARQL update"):
            store.update(f"DROP GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G1}> {{ <{A}> <{P}> }} }}")
        assert store.count(G1) == 2

    def test_transaction_is_all_or_nothing(self, store):
        store.replace_graph(G1, triples(2))
        with pytest.raises(RuntimeError):
            with store.transaction() as tx:
                tx.replace_graph(G1, triples(5))
                tx.add(G2, triples(1))
                raise RuntimeError("crash mid-batch")
        assert store.count(G1) == 2
        assert not store.has_graph(G2)
        with store.transaction() as tx:
            tx.replace_graph(G1, triples(5))
            tx.add(G2, triples(1))
        assert (store.count(G1), store.count(G2)) == (5, 1)

    def test_invalid_iri_is_refused_before_writing(self, store):
        with pytest.raises(InvalidTerm, match="not a valid RDF term"):
            store.add(G1, [(URIRef("http://ex.org/has space"), P, Literal(1))])
        assert store.count() == 0

    def test_dump_restore_round_trip(self, store, tmp_path):
        store.replace_graph(G1, triples(3))
        g = Graph()
        g.add((BNode(), P, Literal("b")))
        store.replace_graph(G2, g)
        for fmt in ("nquads", "trig"):
            data = store.dump(format=fmt)
            other = open_store(None)
            other.restore(data, format=fmt)
            for graph in (G1, G2):
                assert isomorphic(other.graph(graph), store.graph(graph)), (fmt, graph)
            assert other.count() == store.count()
        path = tmp_path / "dump.nq"
        store.dump(path)
        d = Dataset()
        d.parse(path, format="nquads")
        assert len(d) == 4

    def test_load_file_into_graph_and_bad_files(self, store, tmp_path):
        good = tmp_path / "good.ttl"
        good.write_text(f"<{A}> <{P}> 1, 2 .\n")
        store.load(good, graph=G1)
        assert store.count(G1) == 2
        bad = tmp_path / "bad.ttl"
        bad.write_text(f"<{A}> <{P}> 3 .\n<{A}> <{P}> \"unterminated .\n")
        with pytest.raises(RDFSyntaxError, match="bad.ttl is not valid turtle"):
            store.load(bad, graph=G1)
        assert store.count(G1) == 2  # the good first line of the bad file was not kept
        with pytest.raises(FileNotFoundError, match="no such RDF file"):
            store.load(tmp_path / "missing.ttl")
        weird = tmp_path / "data.xyz"
        weird.write_text("x")
        with pytest.raises(UnknownFormat, match="cannot tell the RDF format"):
            store.load(weird)
        with pytest.raises(UnknownFormat, match="unknown RDF format 'yaml'"):
            store.load(good, format="yaml")

    def test_stats_counts_per_graph(self, store):
        store.replace_graph(G1, triples(3))
        store.replace_graph(G2, triples(1))
        assert store.stats() == {str(G1): 3, str(G2): 1}

    def test_default_graph_is_counted_apart_from_named_graphs(self, store):
        store.add(None, triples(2))
        store.add(G1, triples(3))  # holds the default graph's two triples too
        assert store.default_graph_count() == 2
        assert store.count() == 5  # the union: every graph, the default one included
        assert store.stats() == {str(G1): 3, "": 2}

    def test_result_serializes_natively(self, store):
        store.replace_graph(G1, triples(2))
        body = store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o").serialize("csv")
        assert body.decode().splitlines() == ["o", "0", "1"]
        ttl = store.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize("turtle")
        assert len(Graph().parse(io.BytesIO(ttl), format="turtle")) == 2

    def test_add_nquads_matches_add(self, store):
        g = Graph()
        for s, p, o in triples(2) + [(B, P, Literal('quote " and \\ and\nnewline', lang="en")),
                                     (B, P, Literal("2020-01-01T00:00:00", datatype=XSD.dateTime)),
                                     (BNode(), P, B)]:
            g.add((s, p, o))
        ds = Dataset()
        ds.graph(G1).__iadd__(g)
        store.add_nquads(ds.serialize(format="nquads"))
        assert isomorphic(store.graph(G1), g) and store.graphs() == [G1]
        store.add(G2, g)
        assert isomorphic(store.graph(G2), store.graph(G1))

    def test_add_nquads_blank_nodes_are_scoped_to_one_text(self, store):
        text = f"_:x <{P}> _:x <{G1}> .\n_:x <{P}> <{A}> <{G1}> .\n"
        store.add_nquads(text)
        store.add_nquads(text)
        subjects = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }").rows()
        assert len(subjects) == 2 and store.count(G1) == 4

    def test_add_nquads_bad_text_writes_nothing(self, store):
        store.add(G1, triples(1))
        for bad in (f'<{A}> <{P}> "unterminated <{G2}> .\n',
                    f"<{A}> <{P}> <{B}> <{G2}> . }} }} ; DROP ALL ; INSERT DATA {{ <{A}> <{P}> <{B}> .\n",
                    f"<{EX}has space> <{P}> <{B}> <{G2}> .\n"):
            with pytest.raises(RDFSyntaxError, match="N-Quads text does not parse"):
                with store.transaction() as tx:
                    tx.add_nquads(f'<{B}> <{P}> "7" <{G1}> .\n')  # valid, and not kept either
                    tx.add(G1, triples(1, B))
                    tx.add_nquads(bad)
            assert store.stats() == {str(G1): 1}

    def test_add_nquads_with_a_drop_in_one_transaction(self, store):
        store.add(G1, triples(3))
        with store.transaction() as tx:
            tx.drop_graph(G1)
            tx.add_nquads(f'<{A}> <{P}> "42"^^<{XSD.integer}> <{G1}> .\n<{A}> <{P}> "43" <{G2}> .\n')
        assert [int(o) for o in store.graph(G1).objects()] == [42]
        assert store.count(G2) == 1
        with pytest.raises(RuntimeError):
            with store.transaction() as tx:
                tx.add_nquads(f'<{A}> <{P}> "1" <{B}> .\n')
                raise RuntimeError("crash mid-batch")
        assert not store.has_graph(B)
