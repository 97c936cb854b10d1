"""SPARQL 1.1 Protocol over real HTTP: queries, updates, negotiation, limits and bad input.

Every test runs against both servers: waitress in a thread (demo, embedding) and
``cubegraph serve`` (granian, in a subprocess).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.parse

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

TOKEN = "test-token-3f9a"  # as in conftest.SETTINGS
BASE = "http://test.example/"
CG = "https://w3id.org/cubegraph/ontology#"

G1 = BASE + "cube/alpha"
G2 = BASE + "cube/beta"
SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module")
def server(each_server):
    """The server of this module's tests, once per HTTP server."""
    return each_server


@pytest.fixture(scope="module", autouse=True)
def data(client):
    """Two cube graphs and one big graph (over the row cap) for the module."""
    rows = " ".join(f"<{BASE}item/{i}> <{BASE}p> {i} ." for i in range(120))
    reply = client.update(f"""
        INSERT DATA {{
          GRAPH <{G1}> {{ <{G1}> a <{CG}DataCube> ; <http://purl.org/dc/terms/title> "Alpha" . }}
          GRAPH <{G2}> {{ <{G2}> a <{CG}DataCube> ; <http://purl.org/dc/terms/title> "Beta" . }}
          GRAPH <{BASE}graph/big> {{ {rows} }}
        }}""")
    assert reply.status == 204, reply.text


TITLES = "SELECT ?t WHERE { ?c <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"


def titles(reply) -> list[str]:
    return [b["t"]["value"] for b in reply.json()["results"]["bindings"]]


# --- queries ---------------------------------------------------------------------------------

def test_query_by_get_url_encoded_post_and_direct_post_agree(client):
    by_get = client.query(TITLES)
    by_form = client.request("POST", "sparql", data=urllib.parse.urlencode({"query": TITLES}).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    direct = client.request("POST", "sparql", data=TITLES.encode(),
                            headers={"Content-Type": "application/sparql-query"})
    for reply in (by_get, by_form, direct):
        assert reply.status == 200
        assert reply.headers["content-type"].startswith("application/sparql-results+json")
        assert titles(reply) == ["Alpha", "Beta"]


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*;q=0.2, application/sparql-results+json;q=0.1", "text/csv"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_results_follow_accept_q_values(client, accept, media):
    reply = client.query(TITLES, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == media
    assert b"Alpha" in reply.body


def test_format_parameter_overrides_accept(client):
    reply = client.query(TITLES, "application/sparql-results+json", format="csv")
    assert reply.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(reply.text))) == [["t"], ["Alpha"], ["Beta"]]


def test_ask(client):
    reply = client.query(f"ASK {{ <{G1}> a <{CG}DataCube> }}")
    assert reply.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("accept, media, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
])
def test_construct_in_every_rdf_format(client, accept, media, rdflib_format):
    reply = client.query(f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?c ?p ?o }} }}", accept)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == media
    g = Graph().parse(data=reply.body, format=rdflib_format)
    assert (URIRef(G1), URIRef("http://purl.org/dc/terms/title"), Literal("Alpha")) in g


def test_default_graph_uri_and_named_graph_uri_restrict_the_dataset(client):
    only_alpha = client.query(TITLES, **{"default-graph-uri": G1})
    assert titles(only_alpha) == ["Alpha"]
    named = client.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                         **{"named-graph-uri": [G2]})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [G2]


def test_select_over_the_row_cap_is_truncated_and_flagged(client):
    reply = client.query(f"SELECT ?s WHERE {{ GRAPH <{BASE}graph/big> {{ ?s ?p ?o }} }}")
    assert reply.status == 200
    assert len(reply.json()["results"]["bindings"]) == 50
    assert reply.headers["x-cubegraph-truncated"] == "true"
    assert reply.headers["x-cubegraph-max-rows"] == "50"
    as_csv = client.query(f"SELECT ?s WHERE {{ GRAPH <{BASE}graph/big> {{ ?s ?p ?o }} }}", "text/csv")
    assert len(as_csv.text.strip().splitlines()) == 51  # header + 50 rows


def test_construct_over_the_row_cap_is_truncated_and_flagged(client):
    reply = client.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/big> {{ ?s ?p ?o }} }}",
                         "text/turtle")
    assert reply.status == 200
    assert reply.headers["x-cubegraph-truncated"] == "true"
    assert len(Graph().parse(data=reply.body, format="turtle")) == 50


def test_results_under_the_cap_are_not_flagged(client):
    reply = client.query(TITLES)
    assert "x-cubegraph-truncated" not in reply.headers


# --- service description -------------------------------------------------------------------------

def test_get_without_query_gives_the_service_description_with_void_statistics(client):
    reply = client.get("sparql", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    g = Graph().parse(data=reply.body, format="turtle")
    service = URIRef(client.url + "sparql")
    assert (service, URIRef(SD + "endpoint"), service) in g
    dataset = g.value(service, URIRef(SD + "defaultDataset"))
    assert int(g.value(dataset, VOID.triples)) >= 124
    counts = {str(g.value(n, URIRef(SD + "name"))): int(g.value(g.value(n, URIRef(SD + "graph")), VOID.triples))
              for n in g.objects(dataset, URIRef(SD + "namedGraph"))}
    assert counts[G1] == 2 and counts[BASE + "graph/big"] == 120


def test_service_description_is_negotiated(client):
    as_jsonld = client.get("sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(as_jsonld.body)
    as_html = client.get("sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert as_html.headers["content-type"].startswith("text/html")
    assert "<form" in as_html.text
    anything = client.get("sparql", headers={"Accept": "*/*"})
    assert anything.headers["content-type"].startswith("text/turtle")


# --- bad input ---------------------------------------------------------------------------------

def test_malformed_query_is_400_with_the_parsers_message(client):
    reply = client.query("SELECT ?x WHERE { ?x ?p }")
    assert reply.status == 400
    body = reply.json()
    assert body["status"] == 400 and "error at" in body["message"]
    assert "Traceback" not in reply.text


def test_two_queries_in_one_request_is_400(client):
    twice = client.get("sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert twice.status == 400 and "exactly one" in twice.json()["message"]
    url_and_body = client.request("POST", "sparql?query=ASK%7B%7D", data=b"ASK {}",
                                  headers={"Content-Type": "application/sparql-query"})
    assert url_and_body.status == 400


def test_query_and_update_together_is_400(client):
    reply = client.request("POST", "sparql", data=urllib.parse.urlencode(
        {"query": "ASK {}", "update": "CLEAR ALL"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 400 and "both a query and an update" in reply.json()["message"]


@pytest.mark.parametrize("params, accept", [
    ({"format": "pdf"}, None),
    ({}, "image/png"),
])
def test_unknown_format_is_406(client, params, accept):
    reply = client.query(TITLES, accept, **params)
    assert reply.status == 406
    message = reply.json()["message"]
    assert "json" in message and "turtle" in message


def test_graph_only_accept_for_a_select_is_406(client):
    reply = client.query(TITLES, "text/turtle")
    assert reply.status == 406


def test_invalid_default_graph_iri_is_400(client):
    reply = client.query(TITLES, **{"default-graph-uri": "not an iri"})
    assert reply.status == 400 and "not an absolute IRI" in reply.json()["message"]


def test_unknown_post_body_type_is_415(client):
    reply = client.request("POST", "sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert reply.status == 415


def test_oversized_query_body_is_413(client):
    big = "ASK {} #" + "x" * (70 * 1024)
    direct = client.request("POST", "sparql", data=big.encode(),
                            headers={"Content-Type": "application/sparql-query"})
    assert direct.status == 413 and "larger than the server accepts" in direct.json()["message"]
    form = client.request("POST", "sparql", data=urllib.parse.urlencode({"query": big}).encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 413


def _chunked(server, method: str, path: str, body: bytes, headers: dict):
    """Send ``body`` with Transfer-Encoding: chunked (no Content-Length), as streaming
    clients do."""
    import http.client

    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        pieces = (body[i:i + 8192] for i in range(0, len(body), 8192))
        conn.request(method, path, body=pieces, headers=headers, encode_chunked=True)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_a_chunked_body_over_the_limit_is_413_and_writes_nothing(server, client):
    # Two valid operations, the second past the limit: a body cut at the limit would still
    # parse and write the first graph.
    first = f"INSERT DATA {{ GRAPH <{BASE}graph/chunked> {{ <{BASE}a> <{BASE}p> 1 }} }} ;"
    padding = "# " + "x" * (70 * 1024) + "\n"
    update = (first + padding + f"INSERT DATA {{ GRAPH <{BASE}graph/chunked2> {{ <{BASE}b> <{BASE}p> 2 }} }}")
    status, body = _chunked(server, "POST", "/sparql", update.encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 413 and b"larger than the server accepts" in body
    assert client.query(f"ASK {{ GRAPH <{BASE}graph/chunked> {{ ?s ?p ?o }} }}").json()["boolean"] is False
    # Under the limit, a chunked body is read whole.
    status, _ = _chunked(server, "POST", "/sparql", first.rstrip(" ;").encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 204
    status, body = _chunked(server, "POST", "/sparql",
                            f"ASK {{ GRAPH <{BASE}graph/chunked> {{ ?s ?p 1 }} }}".encode(),
                            {"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body)["boolean"] is True
    client.update(f"DROP GRAPH <{BASE}graph/chunked>")


def test_service_is_refused_unless_allow_listed(client):
    reply = client.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert reply.status == 400
    assert "SERVICE is disabled" in reply.json()["message"]
    # The word inside a literal is no SERVICE clause.
    assert client.query('ASK { FILTER("SERVICE <http://x/>" != "") }').status == 200


def test_a_query_past_the_deadline_is_stopped_while_others_are_served(client):
    runaway = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
               "?j ?k ?l . ?m ?n1 ?o . ?q ?r ?s }")
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("reply", client.query(runaway)))
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    # Meanwhile, the other worker answers.
    assert titles(client.query(TITLES)) == ["Alpha", "Beta"]
    thread.join(30)
    reply = result["reply"]
    assert reply.status == 503
    assert "ran past the server's limit of 2 s" in reply.json()["message"]
    assert time.monotonic() - started < 10
    # The killed worker was replaced: the server goes on answering.
    for _ in range(4):
        assert titles(client.query(TITLES)) == ["Alpha", "Beta"]


def test_cors_headers_on_reads_and_preflight(client):
    assert client.query(TITLES).headers["access-control-allow-origin"] == "*"
    preflight = client.request("OPTIONS", "sparql", headers={
        "Origin": "http://other.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- updates ------------------------------------------------------------------------------------

def test_update_without_token_is_401_with_bearer_challenge(client):
    reply = client.update(f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}", token=None)
    assert reply.status == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")


def test_update_with_a_wrong_token_is_403(client):
    reply = client.update(f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}", token="wrong")
    assert reply.status == 403


def test_update_is_visible_to_the_next_query(client):
    for i in range(5):
        assert client.update(f"INSERT DATA {{ GRAPH <{BASE}graph/rw> {{ <{BASE}rw> <{BASE}n> {i} }} }}").status == 204
        reply = client.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/rw> {{ ?s ?p ?o }} }}")
        assert reply.json()["results"]["bindings"][0]["n"]["value"] == str(i + 1)


def test_update_by_url_encoded_post_and_at_update_endpoint(client):
    form = client.request("POST", "update", data=urllib.parse.urlencode(
        {"update": f"INSERT DATA {{ <{BASE}form> <{BASE}p> 1 }}"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {TOKEN}"})
    assert form.status == 204
    assert client.query(f"ASK {{ <{BASE}form> <{BASE}p> 1 }}").json()["boolean"] is True
    assert client.request("POST", "update", data=b"ASK {}",
                          headers={"Content-Type": "application/sparql-query"}).status == 400


def test_update_by_get_is_refused(client):
    reply = client.get("sparql", params={"update": "CLEAR ALL"})
    assert reply.status == 400 and "POST" in reply.json()["message"]


def test_malformed_update_is_400(client):
    reply = client.update("INSERT DATA { <a> }")
    assert reply.status == 400 and "malformed SPARQL update" in reply.json()["message"]


def test_a_failed_update_changes_nothing(client):
    # The second operation fails (the graph exists), so the first must not land either.
    reply = client.update(f"INSERT DATA {{ <{BASE}half> <{BASE}p> 1 }} ; CREATE GRAPH <{G1}>")
    assert reply.status >= 400
    assert "Traceback" not in reply.text
    assert client.query(f"ASK {{ <{BASE}half> ?p ?o }}").json()["boolean"] is False


def test_error_pages_are_html_for_browsers(client):
    reply = client.query("SELECT", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("text/html")
    assert "query syntax error" in reply.text


def test_unknown_route_method_is_405_with_a_message(client):
    reply = client.request("DELETE", "sparql")
    assert reply.status == 405 and reply.json()["message"]
