"""The store contract against a real remote SPARQL server: Oxigraph's own HTTP server.

Marked ``integration``; skipped when the ``oxigraph`` server binary is not installed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from cubegraph.kg import StoreError, StoreUnavailable, open_store

from store_contract import StoreContract

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(OXIGRAPH).exists(), reason="the oxigraph server is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(location, *flags):
    """An Oxigraph server on a free local port; yields its URL, stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}", *flags],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph server did not start")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("ox"), "--union-default-graph")


@pytest.fixture(scope="module")
def plain_oxigraph_server(tmp_path_factory):
    """An Oxigraph server as it starts without flags: its default graph is NOT the union."""
    yield from _serve(tmp_path_factory.mktemp("ox"))


def test_a_server_without_a_union_default_graph_still_reports_its_named_graphs(plain_oxigraph_server):
    """The default graph alone cannot be counted there: that count says why, and the
    summary of the store (the endpoint's and the CLI's ``stats``) still lists the graphs."""
    store = open_store(plain_oxigraph_server + "/query")
    store.update("DROP SILENT ALL")
    p = URIRef("http://ex.org/p")
    store.replace_graph("http://ex.org/g", [(URIRef(f"http://ex.org/s{i}"), p, Literal(i)) for i in range(3)])
    with pytest.raises(StoreError, match="union-default-graph"):
        store.default_graph_count()
    assert store.stats() == {"http://ex.org/g": 3}


class TestRemoteStore(StoreContract):
    @pytest.fixture
    def store(self, oxigraph_server):
        store = open_store(oxigraph_server + "/query", base_iri="http://test.example/")
        store.update("DROP SILENT ALL")
        yield store
        store.update("DROP SILENT ALL")


def test_unreachable_endpoint_is_named():
    store = open_store(f"http://127.0.0.1:{free_port()}/sparql")
    with pytest.raises(StoreUnavailable, match="cannot reach the SPARQL endpoint"):
        store.count()


def test_bindings_reach_filters_on_a_remote_store(oxigraph_server):
    store = open_store(oxigraph_server + "/query")
    store.update("DROP SILENT ALL")
    p = URIRef("http://ex.org/p")
    store.replace_graph("http://ex.org/g", [(URIRef(f"http://ex.org/s{i}"), p, Literal(i)) for i in range(5)])
    q = "SELECT ?limit ?s WHERE { ?s ?p ?o FILTER (?o < ?limit) } ORDER BY ?s"
    rows = store.query(q, bindings={"limit": Literal(2)}).rows()
    assert [str(r["s"]) for r in rows] == ["http://ex.org/s0", "http://ex.org/s1"]
    tricky = 'SELECT ?x ?s WHERE { ?s ?p ?o FILTER (STR(?o) != "{ not a group }") }  # {'
    assert len(store.query(tricky, bindings={"x": Literal("x")}).rows()) == 5
    store.update("DROP SILENT ALL")


def test_read_only_remote_store_refuses_writes_without_a_request(oxigraph_server):
    writer = open_store(oxigraph_server + "/query")
    writer.update("DROP SILENT ALL")
    writer.add("http://ex.org/g", [(URIRef("http://ex.org/s"), URIRef("http://ex.org/p"), Literal(1))])
    reader = open_store(oxigraph_server + "/query", read_only=True)
    assert reader.count("http://ex.org/g") == 1  # reading works
    for write in (lambda: reader.update("DROP ALL"),
                  lambda: reader.drop_graph("http://ex.org/g"),
                  lambda: reader.load(b'<http://ex.org/a> <http://ex.org/p> "1" .', format="ntriples")):
        with pytest.raises(StoreError, match=r"open read-only: nothing was written \(no request sent\)"):
            write()
    assert writer.count() == 1
    writer.update("DROP SILENT ALL")


def test_read_only_refusal_sends_nothing():
    # Nothing listens on this port: a request would fail with "cannot reach" instead.
    store = open_store(f"http://127.0.0.1:{free_port()}/sparql", read_only=True)
    with pytest.raises(StoreError, match="read-only") as caught:
        store.replace_graph("http://ex.org/g", [])
    assert not isinstance(caught.value, StoreUnavailable)


def test_timeout_reaches_the_remote_store():
    # A server that takes the connection and never answers: only the timeout ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        store = open_store(f"http://127.0.0.1:{silent.getsockname()[1]}/sparql", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="cannot reach the SPARQL endpoint.*timed out"):
            store.count()
        assert time.monotonic() - started < 10
