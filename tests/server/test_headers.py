"""Headers every client and browser expects (issue 14): CORS preflight for the Graph Store
Protocol's PUT and DELETE, no content sniffing, a Content-Security-Policy on pages."""

from __future__ import annotations


def test_a_preflight_allows_the_graph_store_methods(client):
    reply = client.request("OPTIONS", "rdf-graphs", headers={
        "Origin": "https://other.example", "Access-Control-Request-Method": "PUT"})
    assert reply.status in (200, 204)
    methods = {m.strip() for m in reply.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PUT", "DELETE"} <= methods
    assert "Authorization" in reply.headers["access-control-allow-headers"]


def test_pages_run_only_this_server_s_scripts(client):
    page = client.request("GET", "ui/sparql", headers={"Accept": "text/html"})
    assert page.status == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    data = client.request("GET", "rdf-graphs?default", headers={"Accept": "text/turtle"})
    assert data.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in data.headers  # data, not a page


def test_an_unchanged_answer_is_a_304_until_the_next_write(client):
    import urllib.parse

    path = "sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    first = client.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    tag = first.headers["etag"]
    again = client.request("GET", path, headers={"Accept": "application/sparql-results+json",
                                                 "If-None-Match": tag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == tag
    other = client.request("GET", path, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert other.status == 200  # another format is another answer
    assert client.update("INSERT DATA { <http://x/etag> <http://x/p> 1 }").status == 204
    after = client.request("GET", path, headers={"Accept": "application/sparql-results+json",
                                                 "If-None-Match": tag})
    assert after.status == 200 and after.headers["etag"] != tag


def test_a_restarted_server_does_not_confirm_a_copy_from_before(tmp_path):
    """The write count starts again at 0 on a restart and the store may have changed while
    the server was down (a load from the command line): a tag of the server before must
    not earn a 304."""
    import urllib.parse

    from cubegraph.api.web.app import create_app
    from cubegraph.api.web.serve import ServerThread
    from cubegraph.kg import open_store

    from .conftest import SETTINGS, Client

    store = str(tmp_path / "store")
    path = "sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    accept = {"Accept": "application/sparql-results+json"}
    with ServerThread(create_app({**SETTINGS, "STORE": store}), port=0) as srv:
        first = Client(srv.url).request("GET", path, headers=accept)
    offline = open_store(store)
    offline.update("INSERT DATA { <http://x/offline> <http://x/p> 1 }")
    offline.close()
    with ServerThread(create_app({**SETTINGS, "STORE": store}), port=0) as srv:
        again = Client(srv.url).request("GET", path, headers={**accept, "If-None-Match": first.headers["etag"]})
    assert again.status == 200 and b'"1"' in again.body


def test_a_large_answer_comes_gzipped_to_a_client_that_takes_it(client):
    import gzip
    import urllib.parse

    assert client.update("INSERT DATA { " + " ".join(
        f"<http://x/gz{i}> <http://x/p> \"value number {i}\" ." for i in range(40)) + " }").status == 204
    path = "sparql?" + urllib.parse.urlencode(
        {"query": "SELECT ?s ?o { ?s <http://x/p> ?o } ORDER BY ?s"})
    plain = client.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    packed = client.request("GET", path, headers={"Accept": "application/sparql-results+json",
                                                  "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed.body) == plain.body and len(packed.body) < len(plain.body)
    assert "Accept-Encoding" in packed.headers["vary"]
