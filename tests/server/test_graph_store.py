"""Graph Store HTTP Protocol over real HTTP: reads open, writes with the token, spec status codes."""

from __future__ import annotations

import urllib.parse

import pytest
from rdflib import Dataset, Graph, Literal, URIRef


@pytest.fixture(scope="module")
def server(each_server):
    """Every test here runs against both servers (waitress, and cubegraph serve on granian)."""
    return each_server


TOKEN = "test-token-3f9a"  # as in conftest.SETTINGS
BASE = "http://test.example/"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TTL = b'@prefix ex: <http://example.org/> . ex:a ex:p "one" . ex:b ex:p "two" .'


def at(graph: str) -> str:
    return "rdf-graphs?" + urllib.parse.urlencode({"graph": graph})


def put(client, graph, body=TTL, ctype="text/turtle", headers=AUTH):
    return client.request("PUT", at(graph), data=body, headers={"Content-Type": ctype, **headers})


def test_put_creates_201_then_replaces_204(client):
    g = BASE + "graph/put"
    assert put(client, g).status == 201
    assert put(client, g, b'<http://example.org/c> <http://example.org/p> "3" .',
               "application/n-triples").status == 204
    got = Graph().parse(data=client.get(at(g), headers={"Accept": "text/turtle"}).body, format="turtle")
    assert set(got.subjects()) == {URIRef("http://example.org/c")}


def test_post_merges(client):
    g = BASE + "graph/post"
    headers = {"Content-Type": "text/turtle", **AUTH}
    assert client.request("POST", at(g), data=TTL, headers=headers).status == 201
    more = b'<http://example.org/z> <http://example.org/p> "three" .'
    assert client.request("POST", at(g), data=more, headers=headers).status == 204
    got = Graph().parse(data=client.get(at(g), headers={"Accept": "application/n-triples"}).body, format="nt")
    assert len(got) == 3


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-triples", "nt"),
])
def test_get_is_negotiated(client, accept, rdflib_format):
    g = BASE + "graph/get"
    put(client, g)
    reply = client.get(at(g), headers={"Accept": accept})
    assert reply.status == 200 and reply.headers["content-type"].startswith(accept)
    got = Graph().parse(data=reply.body, format=rdflib_format)
    assert (URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("one")) in got


def test_head_has_headers_and_no_body(client):
    g = BASE + "graph/head"
    put(client, g)
    reply = client.request("HEAD", at(g), headers={"Accept": "text/turtle"})
    assert reply.status == 200 and reply.body == b""
    assert reply.headers["content-type"].startswith("text/turtle")


def test_delete_204_then_404(client):
    g = BASE + "graph/delete"
    put(client, g)
    assert client.request("DELETE", at(g), headers=AUTH).status == 204
    assert client.get(at(g)).status == 404
    assert client.request("DELETE", at(g), headers=AUTH).status == 404


def test_missing_graph_is_404(client):
    reply = client.get(at(BASE + "graph/never"))
    assert reply.status == 404 and "no graph" in reply.json()["message"]


def test_default_graph(client):
    body = b'<http://example.org/d> <http://example.org/p> "1" .'
    assert client.request("PUT", "rdf-graphs?default", data=body,
                          headers={"Content-Type": "application/n-triples", **AUTH}).status in (201, 204)
    reply = client.get("rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert b"<http://example.org/d>" in reply.body


def test_whole_dataset_as_nquads_and_trig(client):
    put(client, BASE + "graph/ds")
    nq = client.get("rdf-graphs", headers={"Accept": "application/n-quads"})
    assert nq.headers["content-type"].startswith("application/n-quads")
    ds = Dataset()
    ds.parse(data=nq.body, format="nquads")
    assert URIRef(BASE + "graph/ds") in {g.identifier for g in ds.graphs()}
    assert client.get("rdf-graphs", headers={"Accept": "application/trig"}).status == 200
    assert client.get("rdf-graphs", headers={"Accept": "text/turtle"}).status == 406


def test_unparseable_body_is_400_and_changes_nothing(client):
    g = BASE + "graph/bad"
    put(client, g)
    reply = put(client, g, b"@prefix broken .. <<", "text/turtle")
    assert reply.status == 400 and "not valid turtle" in reply.json()["message"]
    assert len(Graph().parse(data=client.get(at(g), headers={"Accept": "text/turtle"}).body,
                             format="turtle")) == 2


def test_unknown_content_type_is_415(client):
    assert put(client, BASE + "graph/x", b"whatever", "application/pdf").status == 415


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_every_write_needs_the_token(client, method):
    target = at(BASE + "graph/guarded")
    none = client.request(method, target, data=TTL, headers={"Content-Type": "text/turtle"})
    assert none.status == 401 and none.headers["www-authenticate"].startswith("Bearer")
    wrong = client.request(method, target, data=TTL,
                           headers={"Content-Type": "text/turtle", "Authorization": "Bearer nope"})
    assert wrong.status == 403


@pytest.mark.parametrize("query", ["graph=not%20an%20iri", "graph=javascript%3Aalert(1)%3E",
                                   "graph=http%3A%2F%2Fa&default"])
def test_bad_graph_parameters_are_400(client, query):
    assert client.get("rdf-graphs?" + query).status == 400


def test_write_without_a_target_is_400(client):
    reply = client.request("PUT", "rdf-graphs", data=TTL, headers={"Content-Type": "text/turtle", **AUTH})
    assert reply.status == 400 and "?graph=" in reply.json()["message"]


def test_post_to_the_store_creates_a_graph_the_server_names(client):
    """Graph Store Protocol 5.5: 201 and the new graph's IRI in Location (it was refused)."""
    reply = client.request("POST", "rdf-graphs", data=TTL,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert reply.status == 201, reply.text
    location = reply.headers["location"]
    assert location.startswith(BASE + "graph/")
    got = Graph().parse(data=client.get(at(location), headers={"Accept": "text/turtle"}).body,
                        format="turtle")
    assert len(got) == 2
    again = client.request("POST", "rdf-graphs", data=TTL,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert again.headers["location"] != location  # a new graph each time
    empty = client.request("POST", "rdf-graphs", data=b"",
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert empty.status == 400


def test_an_empty_put_creates_no_graph_it_then_cannot_find(client):
    """A graph exists while it holds triples: an empty PUT answered 201 and the graph then
    404'd; now it says it created nothing (204), and emptying a graph removes it."""
    g = BASE + "graph/empty"
    assert put(client, g, b"", "text/turtle").status == 204
    assert client.get(at(g)).status == 404
    assert put(client, g).status == 201
    assert put(client, g, b"", "text/turtle").status == 204  # emptied
    assert client.get(at(g)).status == 404


def test_oversized_body_is_413(client):
    body = b"<http://example.org/s> <http://example.org/p> \"" + b"x" * (70 * 1024) + b"\" ."
    assert put(client, BASE + "graph/huge", body, "application/n-triples").status == 413


def _multipart(parts) -> tuple[bytes, str]:
    """A multipart/form-data body of (field, file name, content type or None, bytes)."""
    boundary = "cubegraph-test-boundary-7f3a"
    chunks = []
    for field, filename, ctype, data in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"'
        if filename is not None:
            head += f'; filename="{filename}"'
        head += "\r\n" + (f"Content-Type: {ctype}\r\n" if ctype else "") + "\r\n"
        chunks.append(head.encode() + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_multipart_post_merges_every_file_part(client):
    """Graph Store Protocol 5.5: each file part of a multipart/form-data body is an RDF
    document, merged into the graph in one write (blank nodes of two parts stay two)."""
    g = BASE + "graph/multipart"
    body, ctype = _multipart([
        ("a", "one.ttl", "text/turtle", b'@prefix ex: <http://example.org/> . ex:m1 ex:p [ ex:q 1 ] .'),
        ("b", "two.nt", None, b'_:b1 <http://example.org/q> "2" .\n'),  # type from the extension
        ("c", "three.jsonld", "application/ld+json",
         b'{"@id": "http://example.org/m3", "http://example.org/p": "three"}'),
    ])
    reply = client.request("POST", at(g), data=body, headers={"Content-Type": ctype, **AUTH})
    assert reply.status == 201, reply.text
    got = Graph().parse(data=client.get(at(g), headers={"Accept": "application/n-triples"}).body, format="nt")
    assert len(got) == 4 and len({s for s in got.subjects() if not isinstance(s, URIRef)}) == 2
    # one bad part: nothing of the request is written, and the answer names the part
    bad, ctype = _multipart([("ok", "ok.ttl", "text/turtle", b"<http://example.org/new> <http://example.org/p> 1 ."),
                             ("broken", "broken.ttl", "text/turtle", b"<http://example.org/x> oops")])
    reply = client.request("POST", at(g), data=bad, headers={"Content-Type": ctype, **AUTH})
    assert reply.status == 400 and "'broken'" in reply.json()["message"], reply.text
    unknown, ctype = _multipart([("x", "notes.txt2", None, b"hello")])
    reply = client.request("POST", at(g), data=unknown, headers={"Content-Type": ctype, **AUTH})
    assert reply.status == 415 and "'x'" in reply.json()["message"]
    field, ctype = _multipart([("comment", None, None, b"just text")])
    reply = client.request("POST", at(g), data=field, headers={"Content-Type": ctype, **AUTH})
    assert reply.status == 400 and "comment" in reply.json()["message"]
    after = Graph().parse(data=client.get(at(g), headers={"Accept": "application/n-triples"}).body, format="nt")
    assert len(after) == 4
    # parts under one field name (curl -F file=@a -F file=@b): every one
    same, ctype = _multipart([("file", "a.nt", None, b'<http://example.org/s1> <http://example.org/p> "1" .\n'),
                              ("file", "b.nt", None, b'<http://example.org/s2> <http://example.org/p> "2" .\n')])
    g2 = BASE + "graph/multipart-same-name"
    assert client.request("POST", at(g2), data=same, headers={"Content-Type": ctype, **AUTH}).status == 201
    both = Graph().parse(data=client.get(at(g2), headers={"Accept": "application/n-triples"}).body, format="nt")
    assert len(both) == 2
