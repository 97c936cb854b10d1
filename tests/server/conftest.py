"""Fixtures that start the real server (waitress on a free loopback port) and stop it."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

from cubegraph.api.app import create_app
from cubegraph.api.serve import ServerThread

TOKEN = "test-token-3f9a"
BASE = "http://test.example/"
CG = "https://w3id.org/cubegraph/ontology#"

#: Small limits, so every limit can be crossed quickly.
SETTINGS = {"TOKEN": TOKEN, "BASE_IRI": BASE, "QUERY_TIMEOUT": 2.0, "MAX_ROWS": 50,
            "MAX_CONTENT_LENGTH": 64 * 1024, "QUERY_WORKERS": 2}


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Client:
    """Raw HTTP (urllib) against a running server."""

    def __init__(self, url: str):
        self.url = url

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: dict | None = None, params: dict | list | None = None) -> Reply:
        url = self.url + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def query(self, sparql: str, accept: str | None = None, **params) -> Reply:
        headers = {"Accept": accept} if accept else {}
        return self.get("sparql", params={"query": sparql, **params}, headers=headers)

    def update(self, sparql: str, token: str | None = TOKEN, path: str = "sparql") -> Reply:
        headers = {"Content-Type": "application/sparql-update"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, data=sparql.encode(), headers=headers)


def start(tmp_path_factory, **overrides) -> ServerThread:
    store = tmp_path_factory.mktemp("server") / "store"
    app = create_app({**SETTINGS, "STORE": str(store), **overrides})
    return ServerThread(app, port=0).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server on an on-disk store (worker processes), shared by a module's tests."""
    srv = start(tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server) -> Client:
    return Client(server.url)


@pytest.fixture
def start_server(tmp_path_factory):
    """A factory of servers with other settings; each is stopped after the test."""
    started = []

    def factory(**overrides) -> tuple[ServerThread, Client]:
        srv = start(tmp_path_factory, **overrides)
        started.append(srv)
        return srv, Client(srv.url)

    yield factory
    for srv in started:
        srv.stop()
