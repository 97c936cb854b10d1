"""One front door for SPARQL queries: the lean WSGI path alone answers them at /sparql.

Each request goes through the app as served, on a real on-disk store with a real query
worker. The expected statuses, headers and bodies are those the Flask view gave before the
lean path became the only one (they were compared request by request until then): a
query, or a request that breaks the protocol, is answered by the lean path with exactly
what Flask answered; updates and the service description are handed on to Flask.
"""

from __future__ import annotations

import re

import urllib.parse

import pytest
from werkzeug.test import Client

from cubegraph.api.web.app import close_app, create_app
from cubegraph.api.web.query_path import QueryPath

BASE = "http://test.example/"
ROWS = " ".join(f"<{BASE}item/{i}> <{BASE}p> {i} ." for i in range(30))
LIMIT = 4096

COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{BASE}p> ?o }}"
ALL = f"SELECT ?s ?o WHERE {{ ?s <{BASE}p> ?o }} ORDER BY ?o"
GRAPH = f"CONSTRUCT {{ ?s <{BASE}p> ?o }} WHERE {{ ?s <{BASE}p> ?o }}"

JSON_RESULTS = "application/sparql-results+json; charset=utf-8"
COUNT_JSON = ('{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"30",'
              '"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}')
TRUNCATED = {
    "X-Cubegraph-Truncated": "true", "X-Cubegraph-Max-Rows": "20",
    "Warning": '199 cubegraph "result truncated to the first 20 rows: follow the Link to the '
               'next page"',
    "Access-Control-Expose-Headers": "X-Cubegraph-Truncated, X-Cubegraph-Max-Rows, Warning, "
                                     "Link, X-Cubegraph-Cursor",
}
ACCEPTABLE = ("['application/ld+json', 'application/n-quads', 'application/n-triples', "
              "'application/rdf+xml', 'application/sparql-results+json', "
              "'application/sparql-results+xml', 'application/trig', 'text/csv', "
              "'text/tab-separated-values', 'text/turtle']")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"STORE": str(tmp_path_factory.mktemp("lean") / "store"), "BASE_IRI": BASE,
                      "TOKEN": "t", "MAX_ROWS": 20, "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 5,
                      "MAX_CONTENT_LENGTH": LIMIT})
    reply = Client(app).post("/sparql", data=f"INSERT DATA {{ GRAPH <{BASE}g> {{ {ROWS} }} }}",
                             headers={"Content-Type": "application/sparql-update",
                                      "Authorization": "Bearer t"})
    assert reply.status_code == 204
    yield app
    close_app(app)


def send(app, method: str, **kwargs):
    assert isinstance(app.wsgi_app, QueryPath)
    return Client(app).open("/sparql", method=method, **kwargs)


from cubegraph.api.web.app import _PAGE_POLICY  # noqa: E402


def check(reply, status: int, content_type: str, **extra: str) -> None:
    """Status and the whole header set: what every answer at /sparql carries, plus ``extra``."""
    assert reply.status_code == status
    expected = {"Content-Type": content_type, "Content-Length": str(len(reply.get_data())),
                "Access-Control-Allow-Origin": "*", "Vary": "Accept",
                "X-Content-Type-Options": "nosniff", **extra}
    if content_type.startswith("text/html"):  # a page: its policy too
        expected |= {"Content-Security-Policy": _PAGE_POLICY, "Referrer-Policy": "same-origin"}
    if status == 200 and ("ETag" in reply.headers or "X-Cubegraph-Truncated" in extra):  # a query's answer
        # a body long enough to be gzipped varies with Accept-Encoding too
        long_enough = "Content-Encoding" in reply.headers or int(reply.headers["Content-Length"]) >= 1024
        expected["Vary"] = "Accept, Accept-Encoding" if long_enough else "Accept"
        if "X-Cubegraph-Truncated" not in extra:  # its tag (a cut one names its cursor: none)
            tag = reply.headers.get("ETag", "")
            assert re.fullmatch(r'"[0-9a-f]{8}-[0-9a-f]+-[0-9a-f]{16}"', tag), tag  # start-writes-answer
            expected["ETag"] = tag
    assert dict(reply.headers.items()) == expected


def check_error(reply, status: int, title: str, message: str, **extra: str) -> None:
    check(reply, status, "application/json", **extra)
    assert reply.json == {"error": title, "status": status, "message": message}


# --- queries: answered by the lean path ----------------------------------------------------

def test_a_select_answers_in_the_accepted_format(app):
    reply = send(app, "GET", query_string={"query": COUNT},
                 headers={"Accept": "application/sparql-results+json"})
    check(reply, 200, JSON_RESULTS)
    assert reply.get_data(as_text=True) == COUNT_JSON
    reply = send(app, "GET", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    check(reply, 200, "text/csv; charset=utf-8")
    assert reply.get_data() == b"n\r\n30\r\n"


@pytest.mark.parametrize("query, accept, content_type", [
    (ALL, "application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
    (ALL, None, JSON_RESULTS),
    (GRAPH, "text/turtle", "text/turtle; charset=utf-8"),
    (GRAPH, None, "text/turtle; charset=utf-8"),
])
def test_answers_over_max_rows_are_truncated_and_flagged(app, query, accept, content_type):
    reply = send(app, "GET", query_string={"query": query},
                 headers={"Accept": accept} if accept else {})
    cursor = reply.headers.get("X-Cubegraph-Cursor", "")
    following = f"http://localhost/sparql?cursor={cursor}&page=2"  # the rest: see test_cursors
    check(reply, 200, content_type, **TRUNCATED, **{"X-Cubegraph-Cursor": cursor,
                                                   "Link": f'<{following}>; rel="next"'})
    body = reply.get_data(as_text=True)
    if "xml" in content_type:
        assert body.count("<result>") == 20
        assert ('<link href="https://w3id.org/cubegraph/ontology#TruncatedResult"/>'
                f'<link href="{following.replace("&", "&amp;")}"/>') in body  # escaped in XML
    elif "json" in content_type:
        assert len(reply.json["results"]["bindings"]) == 20
        assert reply.json["head"]["link"] == ["https://w3id.org/cubegraph/ontology#TruncatedResult", following]
    else:  # the body says it too, on its first line
        first, rest = body.split("\n", 1)
        assert first == f"# result truncated to the first 20 rows: the next page is at <{following}>"
        assert rest.count("\n") == 20 and f"<{BASE}item/19>" in rest


def test_ask_answers(app):
    reply = send(app, "GET", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "*/*"})
    check(reply, 200, JSON_RESULTS)
    assert reply.get_data() == b'{"head":{},"boolean":true}'
    reply = send(app, "GET", query_string={"query": "ASK {}", "format": "csv"})
    check(reply, 200, "text/csv; charset=utf-8")
    assert reply.get_data() == b"true"


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", urllib.parse.urlencode({"query": COUNT})),
    ("application/x-www-form-urlencoded; charset=utf-8",
     urllib.parse.urlencode({"query": COUNT, "default-graph-uri": BASE + "g"})),
    ("application/sparql-query", COUNT),
])
def test_posted_queries_answer(app, content_type, body):
    reply = send(app, "POST", data=body, headers={"Content-Type": content_type})
    check(reply, 200, JSON_RESULTS)
    assert reply.get_data(as_text=True) == COUNT_JSON


def test_head_query_has_the_headers_of_the_answer_without_its_body(app):
    reply = send(app, "HEAD", query_string={"query": COUNT})
    assert reply.status_code == 200 and reply.get_data() == b""
    assert dict(reply.headers.items()) == {
        "Content-Type": JSON_RESULTS, "Content-Length": str(len(COUNT_JSON)),
        "Access-Control-Allow-Origin": "*", "Vary": "Accept",  # too short to gzip
        "X-Content-Type-Options": "nosniff", "ETag": reply.headers["ETag"]}


@pytest.mark.parametrize("method, kwargs", [
    ("GET", {"query_string": {"query": "SELEKT nothing"}, "headers": {"Accept": "application/json"}}),
    ("POST", {"data": "not a query", "headers": {"Content-Type": "application/sparql-query"}}),
])
def test_a_syntax_error_raised_by_the_worker_is_a_400(app, method, kwargs):
    reply = send(app, method, **kwargs)
    check(reply, 400, "application/json")
    assert reply.json["error"] == "query syntax error" and reply.json["status"] == 400
    assert reply.json["message"].startswith("malformed SPARQL query: error at 1:")


def test_406_known_only_after_the_run(app):
    reply = send(app, "GET", query_string={"query": COUNT}, headers={"Accept": "text/turtle"})
    check_error(reply, 406, "not acceptable",
                f"cannot give a SELECT result as Accept: text/turtle: acceptable types are {ACCEPTABLE} "
                "(the Accept header or format parameter allows none of them)")


def test_406_is_rendered_as_html_for_a_browser(app):
    reply = send(app, "GET", query_string={"query": COUNT}, headers={"Accept": "text/html"})
    check(reply, 406, "text/html; charset=utf-8")
    page = reply.get_data(as_text=True)
    assert "<title>406 not acceptable — cubegraph</title>" in page
    assert f'<body data-base="{BASE}">' in page
    assert "cannot give a query result as Accept: text/html: acceptable types are " in page


# --- requests that break the protocol: answered by the lean path too ----------------------

@pytest.mark.parametrize("method, kwargs, status, title, message", [
    ("GET", {"query_string": {"query": COUNT, "format": "nope"}}, 406, "not acceptable",
     "unknown format 'nope': use one of ['csv', 'json', 'jsonld', 'nquads', 'ntriples', "
     "'rdfxml', 'trig', 'tsv', 'turtle', 'xml']"),
    ("GET", {"query_string": [("query", COUNT), ("query", COUNT)]}, 400, "protocol error",
     "the request holds 2 queries: the protocol allows exactly one per request"),
    ("GET", {"query_string": {"query": COUNT, "default-graph-uri": "not an iri"}}, 400,
     "invalid term", "default-graph-uri 'not an iri' is not an absolute IRI (e.g. "
     "'http://example.org/graph'; no spaces or <>\"{}|\\^` characters)"),
    ("GET", {"query_string": {"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"}}, 400,
     "service disabled", "SERVICE is disabled on this endpoint (the query calls http://x/): "
     "allow-list endpoints with SERVICE_ALLOWLIST (cubegraph serve --allow-service IRI)"),
    ("POST", {"data": "x", "headers": {"Content-Type": "text/plain"}}, 415,
     "unsupported media type", "cannot read a POST body of type 'text/plain': send "
     "application/x-www-form-urlencoded (query= or update=), application/sparql-query or "
     "application/sparql-update"),
    ("GET", {"query_string": {"update": "CLEAR ALL"}}, 400, "protocol error",
     "a SPARQL update must be sent with POST, never GET"),
    ("POST", {"data": ""}, 400, "protocol error", "the POST holds no query: send query= or "
     "update= (URL-encoded) or a application/sparql-query body"),
    ("POST", {"data": urllib.parse.urlencode({"query": COUNT, "update": "CLEAR ALL"}),
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400,
     "protocol error", "the request holds both a query and an update: send one operation"),
    ("GET", {"query_string": {"query": "   "}}, 400, "protocol error", "the query is empty"),
    ("POST", {"data": b"ASK {} #\xff", "headers": {"Content-Type": "application/sparql-query"}},
     400, "protocol error", "the query body is not UTF-8 text: 'utf-8' codec can't decode "
     "byte 0xff in position 8: invalid start byte"),
    # A form that is not UTF-8 reads as an empty form, as werkzeug reads it for Flask.
    ("POST", {"data": "query=SELECT%20*%20%7B%7D%20%23\xe9".encode("latin-1"),
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400,
     "protocol error", "the POST holds no query: send query= or update= (URL-encoded) or a "
     "application/sparql-query body"),
])
def test_protocol_errors(app, method, kwargs, status, title, message):
    check_error(send(app, method, **kwargs), status, title, message)


@pytest.mark.parametrize("method, kwargs, title, message", [
    ("POST", {"data": "a" * (LIMIT + 1), "headers": {"Content-Type": "application/sparql-query"}},
     "request entity too large", f"the request body is larger than the server accepts ({LIMIT} bytes)"),
    ("POST", {"data": urllib.parse.urlencode({"query": COUNT + " " * LIMIT}),
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
     "request entity too large", f"the request body is larger than the server accepts ({LIMIT} bytes)"),
    ("GET", {"query_string": {"query": COUNT + " " * LIMIT}},
     "payload too large", f"the query is longer than the server accepts ({LIMIT} bytes)"),
])
def test_oversized_requests_are_413(app, method, kwargs, title, message):
    check_error(send(app, method, **kwargs), 413, title, message)


# --- everything else: handed on to Flask ---------------------------------------------------

def test_the_service_description_is_flasks(app):
    reply = send(app, "GET")
    check(reply, 200, "text/turtle; charset=utf-8")
    assert "<http://localhost/sparql> a sd:Service" in reply.get_data(as_text=True)
    reply = send(app, "HEAD")
    assert reply.status_code == 200 and reply.get_data() == b""
    assert reply.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_an_update_without_token_is_refused_by_flask(app):
    reply = send(app, "POST", data=urllib.parse.urlencode({"update": "CLEAR ALL"}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    check_error(reply, 401, "unauthorized", "this request writes to the store and needs a "
                "bearer token: send 'Authorization: Bearer <token>'",
                **{"WWW-Authenticate": 'Bearer realm="cubegraph"'})


def test_other_methods_are_flasks(app):
    reply = send(app, "PUT", query_string={"query": COUNT})
    assert reply.status_code == 405 and reply.json["error"] == "method not allowed"
    assert set(reply.headers["Allow"].split(", ")) == {"HEAD", "POST", "GET", "OPTIONS"}
    reply = send(app, "OPTIONS")
    assert reply.status_code == 200
    assert reply.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, PUT, DELETE, OPTIONS"


def test_a_form_update_handed_to_flask_still_has_its_body(app):
    # The lean path read the body to find out what it holds; the update behind it must arrive.
    reply = send(app, "POST", data=urllib.parse.urlencode(
        {"update": f"INSERT DATA {{ GRAPH <{BASE}h> {{ <{BASE}x> <{BASE}q> 1 }} }}"}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer t"})
    assert reply.status_code == 204
    answer = send(app, "GET", query_string={"query": f"ASK {{ GRAPH <{BASE}h> {{ ?s ?p 1 }} }}"})
    assert answer.json["boolean"] is True


def test_the_flask_view_never_answers_a_query(app):
    # Behind the lean path, Flask has no code that runs a query: reaching it directly fails.
    reply = Client(app.wsgi_app.next).get("/sparql", query_string={"query": COUNT})
    assert reply.status_code == 500 and reply.json["error"] == "internal error"


def test_queries_skip_flasks_request_machinery():
    app = create_app({"STORE": ":memory:"})
    seen = []
    app.before_request(lambda: seen.append(1))
    try:
        assert Client(app).get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        assert seen == []
        assert Client(app).get("/sparql").status_code == 200  # the description is Flask's
        assert seen == [1]
    finally:
        close_app(app)
