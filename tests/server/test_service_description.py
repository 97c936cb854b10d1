"""The service description states the limits and the functions (issue 14): a client reads
the deadline, the row cap, the body limit and the memory per query there, and each GeoSPARQL
function it announces really evaluates, over real HTTP."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from cubegraph.kg.text_match import GEOF, GEOSPARQL_FUNCTIONS

SD = "http://www.w3.org/ns/sparql-service-description#"
CG = "https://w3id.org/cubegraph/ontology#"
WKT = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
SQUARE = f'"POLYGON((0 0,2 0,2 2,0 2,0 0))"^^{WKT}'
POINT = f'"POINT(1 1)"^^{WKT}'


@pytest.fixture(scope="module")
def description(client):
    reply = client.request("GET", "sparql", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    return Graph().parse(data=reply.body, format="turtle"), URIRef(client.url + "sparql")


def test_the_limits_are_stated(description):
    g, service = description
    assert g.value(service, URIRef(CG + "queryTimeout")).toPython() == 2.0  # conftest SETTINGS
    assert g.value(service, URIRef(CG + "maxResultRows")) == Literal(50)
    assert g.value(service, URIRef(CG + "maxRequestBytes")) == Literal(64 * 1024)
    assert g.value(service, URIRef(CG + "queryMemoryLimit")) == Literal(2048)
    # SERVICE calls no one here: no federated query feature is claimed
    assert (service, URIRef(SD + "feature"), URIRef(SD + "BasicFederatedQuery")) not in g


def test_each_announced_geosparql_function_evaluates(description, client):
    g, service = description
    functions = set(g.objects(service, URIRef(SD + "extensionFunction")))
    assert URIRef(CG + "textMatch") in functions  # free text, as discovery matches it
    announced = {str(f)[len(GEOF):] for f in functions if str(f).startswith(GEOF)}
    assert announced == set(GEOSPARQL_FUNCTIONS)
    for name in sorted(announced):
        for args in (f"{SQUARE}, {POINT}", SQUARE, f'{SQUARE}, {POINT}, "T*F**F***"'):
            reply = client.query(f"PREFIX geof: <{GEOF}> SELECT (geof:{name}({args}) AS ?x) {{}}")
            value = reply.json()["results"]["bindings"][0].get("x") if reply.status == 200 else None
            if value is not None:
                break
        assert value is not None, f"geof:{name} is announced but gives nothing"


def test_free_text_from_sparql_over_http(client):
    assert client.update('INSERT DATA { <http://x/ft> <http://purl.org/dc/terms/title> '
                         '"Next-day fire danger, Greece" }').status == 204
    reply = client.query('PREFIX cg: <https://w3id.org/cubegraph/ontology#> SELECT ?s WHERE { '
                         '?s <http://purl.org/dc/terms/title> ?t '
                         'FILTER(cg:textMatch(?t, "the FIRE of greece")) }')
    assert [b["s"]["value"] for b in reply.json()["results"]["bindings"]] == ["http://x/ft"]
