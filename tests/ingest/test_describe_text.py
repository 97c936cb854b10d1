"""The fast description (N-Triples text, no rdflib Graph) holds exactly describe_cube's
triples: on every demo cube and real file, through the store and across processes."""

from __future__ import annotations

import pickle

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from tests_support import REAL_DATA

from cubegraph.ingest.describe import Description, describe_cube, describe_triples, ntriples
from cubegraph.ingest.readers import read_metadata
from cubegraph.ingest.semantics import resolve_semantics
from cubegraph.ingest.validate import validate_many
from cubegraph.kg import RDFSyntaxError, open_store
from cubegraph.kg.iris import Iris

IRIS = Iris("http://test.example/")
REAL = sorted(p for p in REAL_DATA.iterdir() if p.suffix in (".nc", ".zarr", ".zarr2", ".zarr3")) \
    if REAL_DATA.is_dir() else []


def both(path):
    meta = resolve_semantics(read_metadata(path))
    slug = path.name.replace(".", "-")
    args = dict(slug=slug, ingested_at="2024-01-01T00:00:00Z")
    return describe_cube(meta, IRIS, **args), describe_triples(meta, IRIS, **args)


def assert_same_triples(path):
    graph, fast = both(path)
    parsed = Graph().parse(data=fast.text, format="nt")
    assert len(parsed) == len(graph) == len(fast) > 0
    assert isomorphic(parsed, graph), path.name
    assert isomorphic(fast.graph(), graph)
    assert validate_many({"c": fast}).keys() == validate_many({"c": graph}).keys()
    # through the store: what the fast write keeps is what the old write (SPARQL from the
    # Graph's terms) kept; both store xsd:nonNegativeInteger as xsd:integer (Oxigraph)
    fast_store, old_store = open_store(None), open_store(None)
    fast_store.add_nquads(fast.nquads())
    old_store.add(fast.cube, graph)
    assert fast_store.graphs() == [fast.cube]
    assert isomorphic(fast_store.graph(fast.cube), old_store.graph(fast.cube))
    again = pickle.loads(pickle.dumps(fast))
    assert again.text == fast.text and isomorphic(again.graph(), graph)


def test_demo_cubes(demo_dir):
    cubes = sorted(p for p in demo_dir.iterdir() if p.suffix in (".nc", ".zarr"))
    assert len(cubes) == 6
    for path in cubes:
        assert_same_triples(path)


@pytest.mark.skipif(not REAL, reason="no real files in ../shared/data/real")
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files(path):
    assert_same_triples(path)


def test_text_escapes_every_tricky_literal():
    s, p = URIRef("http://ex.org/s"), URIRef("http://ex.org/p")
    values = [Literal('quote " backslash \\ newline \n return \r tab \t end'),
              Literal("üñíçødé ☃ \U0001F30D"), Literal("hallo", lang="de-AT"), Literal(""),
              Literal("2020-01-01T00:00:00", datatype=XSD.dateTime), Literal(1.5),
              Literal(True), Literal("x", datatype=XSD.string), BNode(), URIRef("file:///a%20b")]
    g = Graph()
    for v in values:
        g.add((s, p, v))
    text = ntriples(list(g) + list(g))  # duplicates are written once
    assert text.count("\n") == len(values)
    assert isomorphic(Graph().parse(data=text, format="nt"), g)


def test_text_that_does_not_parse_fails_its_cube_alone():
    good = Description(URIRef("http://test.example/cube/a"), text=ntriples(
        [(URIRef("http://test.example/cube/a"), URIRef("http://ex.org/p"), Literal("x"))]))
    bad = Description(URIRef("http://test.example/cube/b"),
                      text='<http://test.example/has space> <http://ex.org/p> "x" .\n')
    failures = validate_many({"a": good, "b": bad}, using="turbo")
    assert list(failures) == ["b"]
    assert "description of <http://test.example/cube/b> is not valid RDF" in str(failures["b"])
    with pytest.raises(RDFSyntaxError):
        open_store(None).add_nquads(bad.nquads())
