"""Fixtures that start the real server on a free loopback port and stop it: waitress in a
thread (``ServerThread``), or ``cubegraph serve`` (granian) in a subprocess (``CliServer``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

from cubegraph.api.web.app import create_app
from cubegraph.api.web.serve import ServerThread
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


class CliServer:
    """``cubegraph serve`` (granian) in a subprocess, with the settings of :data:`SETTINGS`."""

    RUN = ("import cubegraph.api.cli.serve_commands; from cubegraph.api.cli import main; "
           "main(prog_name='cubegraph')")

    def __init__(self, store):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "CUBEGRAPH_TOKEN": SETTINGS["TOKEN"]}
        env.pop("CUBEGRAPH_STORE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.RUN, "--store", str(store), "--base-iri", SETTINGS["BASE_IRI"],
             "serve", "--port", str(port), "--timeout", str(SETTINGS["QUERY_TIMEOUT"]),
             "--max-rows", str(SETTINGS["MAX_ROWS"]), "--max-body", str(SETTINGS["MAX_CONTENT_LENGTH"]),
             "--workers", str(SETTINGS["QUERY_WORKERS"])],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "sparql?query=ASK%7B%7D", timeout=5).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"cubegraph serve did not start: {self.proc.stderr.read()}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def make_server(tmp_path_factory):
    """Start a server of a kind: ``"waitress"`` (a thread) or ``"granian"`` (cubegraph serve)."""

    def factory(kind: str):
        if kind == "waitress":
            return start(tmp_path_factory)
        return CliServer(tmp_path_factory.mktemp("cli") / "store")

    return factory


@pytest.fixture(scope="module", params=["waitress", "granian"])
def each_server(request, make_server):
    """One server of each kind in turn: a module's ``server`` fixture can return this one to
    run the module's tests against both."""
    srv = make_server(request.param)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def cli_server():
    """:class:`CliServer` (``cubegraph serve`` in a subprocess) and the settings it runs with,
    for tests that start and stop one themselves."""
    return CliServer, SETTINGS
