"""The app factory and error handling, through Flask's test client on an in-memory store."""

from __future__ import annotations

import pytest

from cubegraph.api.web.app import close_app, create_app
from cubegraph.api.web.state import get_store
from cubegraph.kg import open_store


@pytest.fixture
def app():
    app = create_app({"STORE": ":memory:", "TOKEN": "t", "BASE_IRI": "http://test.example/"})
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def test_in_memory_store_answers_through_threads(client):
    assert client.post("/update", data="INSERT DATA { <http://test.example/a> <http://x/p> 1 }",
                       headers={"Content-Type": "application/sparql-update",
                                "Authorization": "Bearer t"}).status_code == 204
    reply = client.get("/sparql", query_string={"query": "SELECT ?o { ?s ?p ?o }"})
    assert reply.json["results"]["bindings"][0]["o"]["value"] == "1"


def test_store_is_reachable_through_get_store(app):
    with app.app_context():
        assert get_store().iris.base == "http://test.example/"


def test_a_given_store_is_not_closed_by_the_app():
    store = open_store(None)
    app = create_app({"STORE": store})
    close_app(app)
    assert store.count() == 0  # still open
    store.close()


def test_unexpected_errors_never_show_a_traceback(app, client, monkeypatch):
    def boom():
        raise RuntimeError("secret internals at /srv/x.py line 3")

    monkeypatch.setattr(app.extensions["cubegraph"].store, "stats", boom)
    reply = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert reply.status_code == 500
    assert "secret internals" not in reply.text and "Traceback" not in reply.text
    assert reply.json["message"].startswith("the server failed")


def test_writes_are_refused_when_the_server_has_no_token():
    app = create_app({"STORE": ":memory:"})
    reply = app.test_client().post("/update", data="CLEAR ALL", headers={
        "Content-Type": "application/sparql-update", "Authorization": "Bearer anything"})
    assert reply.status_code == 403 and "writing is disabled" in reply.json["message"]
    close_app(app)
