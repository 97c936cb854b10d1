"""An app serving a remote store: queries on threads (no process pool), under the deadline.

The remote side is a real HTTP server speaking the SPARQL 1.1 Protocol: another cubegraph
app for the round trip, and a deliberately slow endpoint for the deadline.
"""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.test import Client

from cubegraph.api.web.app import close_app, create_app
from cubegraph.api.web.query_runner import ThreadRunner
from cubegraph.api.web.serve import ServerThread
from cubegraph.kg.remote import RemoteStore

TIMEOUT = 0.5


@pytest.fixture
def upstream():
    """A cubegraph server on an in-memory store: a real remote SPARQL endpoint."""
    app = create_app({"STORE": ":memory:", "TOKEN": "t"})
    with ServerThread(app, port=0) as server:
        yield server.url


class _SlowEndpoint(http.server.BaseHTTPRequestHandler):
    """Answers ASK queries at once, but takes 10 s over any query holding ``SLOW``."""

    def do_POST(self):  # noqa: N802 - the http.server naming
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if "SLOW" in form.get("query", [""])[0]:
            time.sleep(10)
        body = b'{"head":{},"boolean":true}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up: that is what the test wants

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowEndpoint)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_a_remote_store_gets_the_thread_runner_and_answers(upstream):
    app = create_app({"STORE": upstream + "sparql", "QUERY_WORKERS": 1})
    try:
        state = app.extensions["cubegraph"]
        assert isinstance(state.store, RemoteStore)
        assert isinstance(state.runner, ThreadRunner)  # no worker processes to spawn
        urllib.request.urlopen(urllib.request.Request(
            upstream + "update", data=b"INSERT DATA { <http://x/a> <http://x/p> 42 }",
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t"}))
        reply = Client(app).get("/sparql", query_string={"query": "SELECT ?o { ?s ?p ?o }"},
                                headers={"Accept": "text/csv"})
        assert reply.status_code == 200 and reply.get_data() == b"o\r\n42\r\n"
    finally:
        close_app(app)


def test_a_remote_query_past_the_deadline_is_503_and_frees_its_thread(slow_endpoint):
    app = create_app({"STORE": slow_endpoint, "QUERY_TIMEOUT": TIMEOUT, "QUERY_WORKERS": 2})
    try:
        state = app.extensions["cubegraph"]
        # The HTTP request ends just after the deadline: the thread waiting on it is freed.
        assert state.store.connector.timeout == TIMEOUT + 1
        client = Client(app)

        def slow(_):
            start = time.monotonic()
            reply = client.get("/sparql", query_string={"query": "ASK { # SLOW\n}"})
            return reply, time.monotonic() - start

        with ThreadPoolExecutor(2) as pool:  # as many as the runner has threads
            answers = list(pool.map(slow, range(2)))
        for reply, elapsed in answers:
            assert reply.status_code == 503 and reply.json["error"] == "query timeout"
            assert elapsed < TIMEOUT + 2
        # Both threads were stuck on the slow endpoint; once the HTTP timeout ends their
        # requests, a quick query gets a thread again instead of waiting out the deadline.
        time.sleep(TIMEOUT + 1.5)
        reply = client.get("/sparql", query_string={"query": "ASK {}"})
        assert reply.status_code == 200 and reply.json["boolean"] is True
    finally:
        close_app(app)


def test_a_remote_store_passed_in_keeps_its_own_timeout(slow_endpoint):
    store = RemoteStore(slow_endpoint, timeout=7)
    app = create_app({"STORE": store, "QUERY_TIMEOUT": TIMEOUT})
    try:
        assert store.connector.timeout == 7  # the caller's store, the caller's settings
        reply = Client(app).get("/sparql", query_string={"query": "ASK { # SLOW\n}"})
        assert reply.status_code == 503  # the deadline still holds for the client
    finally:
        close_app(app)
