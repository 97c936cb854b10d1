"""A live store: reads keep their speed and answers as the write history grows (issue 14).

The server's query workers read snapshots of the store (``kg/snapshots.py``), never the
writer's own folder: before, each worker re-opened that folder after every write and
replayed a write-ahead log that grew with each one (the first query after 60 replacements
of a 3,000-triple graph took 5 s, after 150 21 s), and a compaction could delete a file a
worker was about to read (an HTTP 500 "Corruption: IO error"). The full soak is
``bench/soak_writes.py``; this is its bounded form, over real HTTP on a store on disk.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

from tests_support import SERVER_TOKEN

GRAPH = "http://test.example/graph/live"


def graph_text(version: int, triples: int = 3000) -> bytes:
    return "".join(f"<http://test.example/s{i}> <http://test.example/p> \"v{version}-{i}\" .\n"
                   for i in range(triples)).encode()


def put(client, version: int):
    return client.request("PUT", "rdf-graphs?" + urllib.parse.urlencode({"graph": GRAPH}),
                          data=graph_text(version),
                          headers={"Content-Type": "application/n-triples",
                                   "Authorization": f"Bearer {SERVER_TOKEN}"})


COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def test_reads_keep_their_speed_and_answers_under_a_stream_of_replacements(start_server):
    server, client = start_server(QUERY_TIMEOUT=30.0, MAX_CONTENT_LENGTH=1 << 20)
    assert put(client, 0).status in (201, 204)
    statuses, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            statuses.append(client.query(COUNT).status)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        firsts = []
        for version in range(1, 61):
            assert put(client, version).status == 204
            if version % 20 == 0:  # the first query after a write sees it, and soon
                t = time.perf_counter()
                reply = client.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p \"v{version}-0\" }} }}")
                firsts.append(time.perf_counter() - t)
                assert reply.status == 200 and reply.json()["boolean"] is True, version
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    # it took 5 s after 60 replacements before; a snapshot's open does not grow with them
    assert max(firsts) < 2.0, firsts
    reply = client.query(COUNT)
    assert reply.json()["results"]["bindings"][0]["n"]["value"] == "3000"
    # the workers' snapshots are kept only while held: at most one per worker and the newest
    runner = server.app.extensions["cubegraph"].runner
    snapshots = list(runner._snapshots.folder.iterdir())
    assert len(snapshots) <= len(runner._all) + 1, snapshots


def test_a_deeply_nested_query_or_update_is_a_400_and_kills_nothing(client):
    deep = "SELECT * WHERE { FILTER(" + "(" * 15_000 + "1" + ")" * 15_000 + ") }"
    reply = client.request("POST", "sparql", data=deep.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert reply.status == 400 and "levels deep" in reply.json()["message"]
    update = "INSERT { <http://x/s> <http://x/p> 1 } WHERE " + "{" * 15_000 + "}" * 15_000
    assert client.update(update).status == 400
    assert client.query("ASK { }").status == 200  # the workers and the server are still up


def test_from_and_from_named_over_http_follow_the_dataset_clause(client):
    """SPARQL 1.1, 13.2 (FROM was silently ignored: the default graph was always the union)."""
    assert client.update("INSERT DATA { GRAPH <http://test.example/graph/f1> { <http://x/a> <http://x/p> 1 } "
                         "GRAPH <http://test.example/graph/f2> { <http://x/b> <http://x/p> 2 } }").status == 204
    rows = client.query("SELECT ?s FROM <http://test.example/graph/f1> WHERE { ?s <http://x/p> ?o }")
    assert [b["s"]["value"] for b in rows.json()["results"]["bindings"]] == ["http://x/a"]
    rows = client.query("SELECT ?s FROM NAMED <http://test.example/graph/f2> "
                        "WHERE { GRAPH ?g { ?s <http://x/p> ?o } }")
    assert [b["s"]["value"] for b in rows.json()["results"]["bindings"]] == ["http://x/b"]
    # the protocol's default-graph-uri wins over FROM (SPARQL 1.1 Protocol, 2.1.4)
    rows = client.query("SELECT ?s FROM <http://test.example/graph/f1> WHERE { ?s <http://x/p> ?o }",
                        **{"default-graph-uri": "http://test.example/graph/f2"})
    assert [b["s"]["value"] for b in rows.json()["results"]["bindings"]] == ["http://x/b"]
