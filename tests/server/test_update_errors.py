"""Update errors a client can act on (issue 14): what an update asks that cannot be done is a
400 naming it, not a 500; LOAD and SERVICE inside an update fetch nothing the operator has
not allowed (they reached internal URLs, and a failed LOAD echoed what it fetched)."""

from __future__ import annotations

import pytest

BASE = "http://test.example/"


@pytest.mark.parametrize("update, words", [
    (f"CREATE GRAPH <{BASE}graph/twice>", "already exists"),
    (f"DROP GRAPH <{BASE}graph/never>", "does not exist"),
])
def test_what_cannot_be_done_is_a_400_and_changes_nothing(client, update, words):
    assert client.update(f"CREATE SILENT GRAPH <{BASE}graph/twice>").status == 204
    reply = client.update(update)
    assert reply.status == 400, reply.text
    assert words in reply.json()["message"] and "changed nothing" in reply.json()["message"]
    assert client.update(update.replace("GRAPH", "SILENT GRAPH", 1)).status == 204  # SILENT: fine


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:9/secret.ttl>",
    "LOAD SILENT <http://169.254.169.254/latest/meta-data/> INTO GRAPH <http://x/g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
])
def test_an_update_fetches_nothing_unless_allowed(client, update):
    reply = client.update(update)
    assert reply.status == 400, reply.text
    message = reply.json()["message"]
    assert "allow-list" in message or "SERVICE is disabled" in message


def test_using_graph_uri_gives_the_update_its_dataset(client):
    """SPARQL 1.1 Protocol 2.2.3: using-graph-uri / using-named-graph-uri are the dataset of
    the update's WHERE, as USING / USING NAMED would be; with its own USING or WITH: 400."""
    import urllib.parse

    g1, g2, out = f"{BASE}graph/using-1", f"{BASE}graph/using-2", f"{BASE}graph/using-out"
    assert client.update(f"INSERT DATA {{ GRAPH <{g1}> {{ <{BASE}a> <{BASE}p> 1 }} "
                         f"GRAPH <{g2}> {{ <{BASE}b> <{BASE}p> 2 }} }}").status == 204
    copy = f"INSERT {{ GRAPH <{out}> {{ ?s <{BASE}copied> ?o }} }} WHERE {{ ?s <{BASE}p> ?o }}"

    def post(update, **params):
        return client.request("POST", "update?" + urllib.parse.urlencode(params, doseq=True),
                              data=update.encode(), headers={
                                  "Content-Type": "application/sparql-update",
                                  "Authorization": "Bearer test-token-3f9a"})

    assert post(copy, **{"using-graph-uri": g1}).status == 204
    found = client.query(f"SELECT ?s {{ GRAPH <{out}> {{ ?s ?p ?o }} }}",
                         "application/sparql-results+json").json()["results"]["bindings"]
    assert [b["s"]["value"] for b in found] == [f"{BASE}a"]  # g1's only, not g2's
    named = (f"INSERT {{ GRAPH <{out}> {{ ?s <{BASE}named> ?g }} }} "
             f"WHERE {{ GRAPH ?g {{ ?s <{BASE}p> ?o }} }}")
    assert post(named, **{"using-named-graph-uri": g2}).status == 204
    found = client.query(f"SELECT ?g {{ GRAPH <{out}> {{ ?s <{BASE}named> ?g }} }}",
                         "application/sparql-results+json").json()["results"]["bindings"]
    assert [b["g"]["value"] for b in found] == [g2]
    # DELETE WHERE with a using-graph-uri: matched in g2, removed from the default graph
    assert post(f"DELETE WHERE {{ ?s <{BASE}p> 2 }}", **{"using-graph-uri": g2}).status == 204
    both = post(f"WITH <{g1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", **{"using-graph-uri": g2})
    assert both.status == 400 and "WITH" in both.json()["message"]
    assert client.query(f"ASK {{ GRAPH <{g1}> {{ ?s ?p ?o }} }}",
                        "application/sparql-results+json").json()["boolean"] is True
