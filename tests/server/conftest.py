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
from tests_support import Client, Reply  # noqa: F401  (re-exported for the tests here)

TOKEN = "test-token-3f9a"
BASE = "http://test.example/"
CG = "https://w3id.org/cubegraph/ontology#"

#: Small limits, so every limit can be crossed quickly.
SETTINGS = {"TOKEN": TOKEN, "BASE_IRI": BASE, "QUERY_TIMEOUT": 2.0, "MAX_ROWS": 50,
            "MAX_CONTENT_LENGTH": 64 * 1024, "QUERY_WORKERS": 2}


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
