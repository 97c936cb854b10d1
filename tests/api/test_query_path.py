"""The lean query path answers exactly as the Flask view does: same status, headers, body.

Each request is sent twice, through the app as served (lean path in front) and through the
Flask app behind it, on a real on-disk store with a real query worker.
"""

from __future__ import annotations

import urllib.parse

import pytest
from werkzeug.test import Client

from cubegraph.api.app import close_app, create_app
from cubegraph.api.query_path import QueryPath

BASE = "http://test.example/"
ROWS = " ".join(f"<{BASE}item/{i}> <{BASE}p> {i} ." for i in range(30))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"STORE": str(tmp_path_factory.mktemp("lean") / "store"), "BASE_IRI": BASE,
                      "TOKEN": "t", "MAX_ROWS": 20, "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 5})
    reply = Client(app).post("/sparql", data=f"INSERT DATA {{ GRAPH <{BASE}g> {{ {ROWS} }} }}",
                             headers={"Content-Type": "application/sparql-update",
                                      "Authorization": "Bearer t"})
    assert reply.status_code == 204
    yield app
    close_app(app)


def both(app, method: str, **kwargs):
    """The same request through the lean path and through Flask alone."""
    assert isinstance(app.wsgi_app, QueryPath)
    lean = Client(app).open("/sparql", method=method, **kwargs)
    flask = Client(app.wsgi_app.next).open("/sparql", method=method, **kwargs)
    return lean, flask


def same(lean, flask) -> None:
    assert lean.status_code == flask.status_code
    assert lean.get_data() == flask.get_data()
    drop = {"Date", "Content-Length"}
    assert ({k: v for k, v in lean.headers.items() if k not in drop}
            == {k: v for k, v in flask.headers.items() if k not in drop})
    assert lean.headers.get("Content-Length") == flask.headers.get("Content-Length")


COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{BASE}p> ?o }}"
ALL = f"SELECT ?s ?o WHERE {{ ?s <{BASE}p> ?o }} ORDER BY ?o"
GRAPH = f"CONSTRUCT {{ ?s <{BASE}p> ?o }} WHERE {{ ?s <{BASE}p> ?o }}"


@pytest.mark.parametrize("query, accept", [
    (COUNT, "application/sparql-results+json"),
    (COUNT, "text/csv"),
    (ALL, "application/sparql-results+xml"),        # truncated: over MAX_ROWS
    (GRAPH, "text/turtle"),                          # truncated graph
    (GRAPH, None),
    ("ASK { ?s ?p ?o }", "*/*"),
    ("SELEKT nothing", "application/json"),         # syntax error, raised by the worker
    (COUNT, "text/turtle"),                          # 406 only known after the run
    (COUNT, "text/html"),                            # 406 rendered as HTML for a browser
])
def test_get_answers_match_the_flask_view(app, query, accept):
    headers = {"Accept": accept} if accept else {}
    lean, flask = both(app, "GET", query_string={"query": query}, headers=headers)
    same(lean, flask)


def test_truncation_is_flagged_on_the_lean_path(app):
    lean, _ = both(app, "GET", query_string={"query": ALL})
    assert lean.status_code == 200
    assert lean.headers["X-Cubegraph-Truncated"] == "true"
    assert lean.headers["X-Cubegraph-Max-Rows"] == "20"
    assert len(lean.json["results"]["bindings"]) == 20


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", urllib.parse.urlencode({"query": COUNT})),
    ("application/x-www-form-urlencoded; charset=utf-8",
     urllib.parse.urlencode({"query": COUNT, "default-graph-uri": BASE + "g"})),
    ("application/sparql-query", COUNT),
    ("application/sparql-query", "not a query"),
])
def test_posted_queries_match_the_flask_view(app, content_type, body):
    same(*both(app, "POST", data=body, headers={"Content-Type": content_type}))


@pytest.mark.parametrize("method, kwargs", [
    ("GET", {}),                                                         # service description
    ("GET", {"query_string": {"query": COUNT, "format": "nope"}}),       # unknown format
    ("GET", {"query_string": [("query", COUNT), ("query", COUNT)]}),    # two queries
    ("GET", {"query_string": {"query": COUNT, "default-graph-uri": "not an iri"}}),
    ("GET", {"query_string": {"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"}}),
    ("POST", {"data": urllib.parse.urlencode({"update": "CLEAR ALL"}),
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),   # 401
    ("POST", {"data": "x", "headers": {"Content-Type": "text/plain"}}),              # 415
])
def test_everything_else_falls_through_to_flask(app, method, kwargs):
    lean, flask = both(app, method, **kwargs)
    same(lean, flask)
    assert lean.status_code != 200 or method == "GET" and not kwargs


def test_a_form_post_that_falls_through_still_has_its_body(app):
    # The lean path read the body to look for a query; the update behind it must still arrive.
    reply = Client(app).post("/sparql", data=urllib.parse.urlencode(
        {"update": f"INSERT DATA {{ GRAPH <{BASE}h> {{ <{BASE}x> <{BASE}q> 1 }} }}"}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer t"})
    assert reply.status_code == 204
    check = Client(app).get("/sparql", query_string={"query": f"ASK {{ GRAPH <{BASE}h> {{ ?s ?p 1 }} }}"})
    assert check.json["boolean"] is True
