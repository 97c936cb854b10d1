"""Paging through an answer cut at the row cap with a cursor (issue 14): every page from the
one run that found the answer too long, so no row is skipped or repeated whatever is written
meanwhile; the cursor's link is in the headers and, where the format has room, the body."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph

BASE = "http://test.example/"
ROWS = 120  # conftest's MAX_ROWS is 50: three pages
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def filled(server):
    from .conftest import Client

    client = Client(server.url)
    assert client.update(f"INSERT DATA {{ GRAPH <{BASE}graph/paged> {{ " + " ".join(
        f"<{BASE}row{i}> <{BASE}n> {i} ." for i in range(ROWS)) + " } }").status == 204
    return client


def _next(reply) -> str | None:
    found = re.search(r"<([^>]+)>;\s*rel=\"next\"", reply.headers.get("link", ""))
    return found.group(1) if found else None


def _follow(client, url, accept):
    return client.request("GET", url.removeprefix(client.url), headers={"Accept": accept})


def test_pages_hold_every_row_once_whatever_is_written_meanwhile(filled):
    client = filled
    first = client.query(f"SELECT ?s ?o {{ GRAPH <{BASE}graph/paged> {{ ?s <{BASE}n> ?o }} }}", JSON)
    assert first.status == 200 and first.headers["x-cubegraph-truncated"] == "true"
    url = _next(first)
    assert url and url.startswith(client.url + "sparql?cursor=") and url.endswith("&page=2")
    assert url in first.json()["head"]["link"]  # in the body too: clients ignore headers
    rows = [b["o"]["value"] for b in first.json()["results"]["bindings"]]
    # a write between pages changes no page
    assert client.update(f"INSERT DATA {{ GRAPH <{BASE}graph/paged> {{ <{BASE}late> <{BASE}n> -1 }} }}").status == 204
    pages = [first.headers.get("x-cubegraph-page")]
    while url:
        page = _follow(client, url, JSON)
        assert page.status == 200, page.text
        pages.append(page.headers["x-cubegraph-page"])
        rows += [b["o"]["value"] for b in page.json()["results"]["bindings"]]
        url = _next(page)
    assert pages == [None, "2/3", "3/3"]
    assert sorted(map(int, rows)) == list(range(ROWS))  # each row once, the late one in none


def test_a_page_comes_in_the_format_asked_for_it(filled):
    client = filled
    first = client.query(f"CONSTRUCT {{ ?s <{BASE}n> ?o }} WHERE {{ GRAPH <{BASE}graph/paged> "
                         f"{{ ?s <{BASE}n> ?o }} }}", "text/turtle")
    body = first.body.decode()
    assert body.startswith("# result truncated to the first 50 rows: the next page is at <")
    second = _follow(client, _next(first), "application/n-triples")
    assert second.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=second.body, format="nt")) == 50
    select = client.query(f"SELECT ?o {{ GRAPH <{BASE}graph/paged> {{ ?s <{BASE}n> ?o }} }}", JSON)
    csv = _follow(client, _next(select), "text/csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "o" and len(csv.text.splitlines()) == 51


def test_a_short_answer_has_no_cursor(filled):
    reply = filled.query(f"SELECT ?s {{ GRAPH <{BASE}graph/paged> {{ ?s ?p ?o }} }} LIMIT 5", JSON)
    assert "link" not in reply.headers and "link" not in reply.json()["head"]


@pytest.mark.parametrize("path, status, words", [
    ("sparql?cursor=never-was&page=2", 410, "run the query again"),
    ("sparql?cursor={c}&page=9", 404, "has 3 pages"),
    ("sparql?cursor={c}&page=two", 400, "page=N"),
    ("sparql?cursor={c}&page=2&default-graph-uri=http%3A%2F%2Fx%2Fg", 400, "nothing else"),
])
def test_a_page_that_is_not_there_says_why(filled, path, status, words):
    first = filled.query(f"SELECT ?s {{ GRAPH <{BASE}graph/paged> {{ ?s <{BASE}n> ?o }} }}", JSON)
    cursor = first.headers["x-cubegraph-cursor"]
    reply = filled.get(path.format(c=cursor), headers={"Accept": JSON})
    assert reply.status == status and words in reply.json()["message"], reply.text


def test_a_query_holding_the_word_cursor_is_a_query(filled):
    reply = filled.get('sparql?query=ASK{FILTER("cursor="="cursor=")}', headers={"Accept": JSON})
    assert reply.status == 200 and reply.json()["boolean"] is True
