"""Updates have a deadline and end with their client (issue 14): an update whose WHERE runs
away is tried on a private copy by a process the server stops, so it neither holds the
write lock past the deadline nor writes anything; a pattern update that fits is applied
once; a client that hangs up before its update is applied leaves nothing written."""

from __future__ import annotations

import socket
import time
import urllib.parse

from .conftest import TOKEN

BASE = "http://test.example/"
SEED = "INSERT DATA { GRAPH <%sgraph/seed> { %s } }" % (
    BASE, " ".join(f"<{BASE}s{i}> <{BASE}p> {i} ." for i in range(300)))
# three-way cross product with a filter nothing can push down: long, little memory
RUNAWAY = (f"INSERT {{ GRAPH <{BASE}graph/never> {{ ?a <{BASE}q> ?d }} }} WHERE {{ "
           f"GRAPH ?g1 {{ ?a ?b ?c }} GRAPH ?g2 {{ ?d ?e ?f }} GRAPH ?g3 {{ ?h ?i ?j }} "
           "FILTER(CONCAT(STR(?a), STR(?d), STR(?h)) = \"never\") }")


def _count(client, graph: str) -> int:
    reply = client.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         "application/sparql-results+json")
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def test_a_runaway_update_is_stopped_at_the_deadline_and_writes_nothing(start_server):
    _, client = start_server(QUERY_TIMEOUT=1.5)
    assert client.update(SEED).status == 204
    t0 = time.monotonic()
    reply = client.update(RUNAWAY)
    took = time.monotonic() - t0
    assert reply.status == 503, reply.text
    assert "limit of 1.5 s" in reply.json()["message"] and "nothing was written" in reply.json()["message"]
    assert "Retry-After" not in reply.headers
    assert took < 6, took
    assert _count(client, f"{BASE}graph/never") == 0
    t0 = time.monotonic()  # the write lock is free again
    assert client.update(f"INSERT DATA {{ <{BASE}after> <{BASE}p> 1 }}").status == 204
    assert time.monotonic() - t0 < 2


def test_a_pattern_update_that_fits_is_applied_once(client):
    assert client.update(SEED).status == 204
    copy = (f"INSERT {{ GRAPH <{BASE}graph/copied> {{ ?s <{BASE}n> ?o ; <{BASE}id> ?id }} }} "
            f"WHERE {{ GRAPH <{BASE}graph/seed> {{ ?s <{BASE}p> ?o }} BIND(STRUUID() AS ?id) }}")
    assert client.update(copy).status == 204
    assert _count(client, f"{BASE}graph/copied") == 600  # one run's uuids, not two runs'
    bad = client.update(f"INSERT {{ ?s <{BASE}p> ?o }} WHERE {{ ?s <{BASE}p> }}")
    assert bad.status == 400 and "malformed" in bad.json()["message"], bad.text


def test_a_client_that_hangs_up_leaves_its_update_unapplied(start_server):
    srv, client = start_server(QUERY_TIMEOUT=30.0)
    assert client.update(SEED).status == 204
    body = urllib.parse.urlencode({"update": RUNAWAY}).encode()
    host, port = "127.0.0.1", srv.port
    with socket.create_connection((host, port)) as sock:
        sock.sendall(b"POST /update HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        time.sleep(1.0)  # the rehearsal is running
    t0 = time.monotonic()
    assert client.update(f"INSERT DATA {{ <{BASE}next> <{BASE}p> 1 }}").status == 204
    assert time.monotonic() - t0 < 5  # not the 30 s deadline: the runaway was stopped
    assert _count(client, f"{BASE}graph/never") == 0
