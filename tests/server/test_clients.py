"""Standard clients against the real server: SPARQLWrapper and rdflib's SPARQLUpdateStore."""

from __future__ import annotations

import threading

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed


@pytest.fixture(scope="module")
def server(each_server):
    """Every test here runs against both servers (waitress, and cubegraph serve on granian)."""
    return each_server


TOKEN = "test-token-3f9a"  # as in conftest.SETTINGS
BASE = "http://test.example/"
EX = "http://example.org/"


def wrapper(client, fmt=JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(client.url + "sparql", updateEndpoint=client.url + "sparql")
    sparql.setReturnFormat(fmt)
    return sparql


def test_sparqlwrapper_update_select_ask_construct(client):
    sparql = wrapper(client)
    sparql.setMethod(POST)
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sparql.setQuery(f'INSERT DATA {{ GRAPH <{BASE}graph/sw> {{ <{EX}s> <{EX}p> "wrapped" }} }}')
    assert sparql.query().response.status == 204

    select = wrapper(client)
    select.setQuery(f"SELECT ?o WHERE {{ GRAPH <{BASE}graph/sw> {{ ?s ?p ?o }} }}")
    assert [b["o"]["value"] for b in select.queryAndConvert()["results"]["bindings"]] == ["wrapped"]

    as_xml = wrapper(client, XML)
    as_xml.setQuery(f"ASK {{ <{EX}s> ?p ?o }}")
    assert as_xml.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"

    construct = wrapper(client, TURTLE)
    construct.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/sw> {{ ?s ?p ?o }} }}")
    g = Graph().parse(data=construct.queryAndConvert(), format="turtle")
    assert (URIRef(EX + "s"), URIRef(EX + "p"), Literal("wrapped")) in g


def test_sparqlwrapper_reports_a_malformed_query(client):
    sparql = wrapper(client)
    sparql.setQuery("SELECT WHERE {")
    try:
        sparql.query()
    except QueryBadFormed as exc:
        assert "error at" in str(exc)
    else:
        raise AssertionError("a malformed query must fail")


def test_rdflib_sparql_update_store_round_trip(client):
    store = SPARQLUpdateStore(client.url + "sparql", client.url + "update",
                              headers={"Authorization": f"Bearer {TOKEN}"}, autocommit=False)
    graph = Graph(store, identifier=URIRef(BASE + "graph/rdflib"))
    for i in range(3):
        graph.add((URIRef(f"{EX}item/{i}"), URIRef(EX + "n"), Literal(i)))
    store.commit()
    assert len(graph) == 3
    assert set(graph.objects(URIRef(EX + "item/2"), URIRef(EX + "n"))) == {Literal(2)}
    rows = list(graph.query(f"SELECT ?n WHERE {{ ?s <{EX}n> ?n }} ORDER BY ?n"))
    assert [int(r[0]) for r in rows] == [0, 1, 2]
    store.close()


def test_concurrent_reads_and_updates_lose_nothing(client):
    errors, lock = [], threading.Lock()

    def worker(k: int):
        for i in range(10):
            try:
                assert client.update(
                    f"INSERT DATA {{ GRAPH <{BASE}graph/load> {{ <{EX}w{k}> <{EX}n> {i} }} }}").status == 204
                assert client.query("ASK { ?s ?p ?o }").status == 200
            except AssertionError as exc:
                with lock:
                    errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    count = client.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/load> {{ ?s ?p ?o }} }}")
    assert count.json()["results"]["bindings"][0]["n"]["value"] == "60"


# Every return format SPARQLWrapper offers (its constants), for the two graph query forms.
# SPARQLWrapper sends a format= parameter and an Accept header of its own for each; the
# server once let format=xml / json (meant for a SELECT) refuse a CONSTRUCT with 406.
_ALL_FORMATS = ("xml", "json", "json-ld", "turtle", "n3", "rdf", "rdf+xml", "csv", "tsv")


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
@pytest.mark.parametrize("fmt", _ALL_FORMATS)
def test_sparqlwrapper_graph_queries_in_every_return_format(client, form, fmt):
    sparql = wrapper(client)
    sparql.setMethod(POST)
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sparql.setQuery(f'INSERT DATA {{ GRAPH <{BASE}graph/fmt> {{ <{EX}f> <{EX}p> "f" }} }}')
    sparql.query()
    graph = wrapper(client, fmt)
    graph.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/fmt> {{ ?s ?p ?o }} }}"
                   if form == "CONSTRUCT" else f"DESCRIBE <{EX}f>")
    response = graph.query().response
    assert response.status == 200, fmt
    media = response.headers["Content-Type"].split(";")[0]
    parse_as = {"text/turtle": "turtle", "application/ld+json": "json-ld",
                "application/rdf+xml": "xml", "application/n-triples": "nt"}[media]
    g = Graph().parse(data=response.read(), format=parse_as)
    assert (URIRef(EX + "f"), URIRef(EX + "p"), Literal("f")) in g
