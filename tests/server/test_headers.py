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
