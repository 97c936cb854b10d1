"""Linked-data pages over real HTTP: every minted IRI dereferences, negotiated, escaped."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, URIRef


@pytest.fixture(scope="module")
def server(each_server):
    """Every test here runs against both servers (waitress, and cubegraph serve on granian)."""
    return each_server


BASE = "http://test.example/"
CG = "https://w3id.org/cubegraph/ontology#"
DCT = "http://purl.org/dc/terms/"
CUBE = BASE + "cube/greece-fire"
VAR = CUBE + "/variable/lst"
RUN = BASE + "run/r1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module", autouse=True)
def data(client):
    reply = client.update(f"""
      INSERT DATA {{
        GRAPH <{CUBE}> {{
          <{CUBE}> a <{CG}DataCube> ; <{DCT}title> "Greece fire <script>alert('x')</script>" ;
                   <{DCT}description> "Daily 1 km cube" ; <{CG}hasVariable> <{VAR}> ;
                   <{CG}westBound> 19.5 ; <{CG}eastBound> 28.5 ; <{CG}southBound> 34.5 ; <{CG}northBound> 42.0 ;
                   <{DCT}references> <javascript:alert(1)> .
          <{VAR}> a <{CG}Variable> ; <{DCT}title> "land surface temperature" .
        }}
        GRAPH <{RUN}> {{ <{RUN}> a <{CG}ModelRun> ; <http://www.w3.org/ns/prov#used> <{CUBE}> . }}
      }}""")
    assert reply.status == 204, reply.text


@pytest.mark.parametrize("path", ["cube/greece-fire", "cube/greece-fire/variable/lst", "run/r1"])
def test_minted_iris_dereference_as_html(client, path):
    reply = client.get(path, headers={"Accept": BROWSER})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    assert (BASE + path) in reply.text


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
])
def test_rdf_clients_get_rdf(client, accept, rdflib_format):
    reply = client.get("cube/greece-fire", headers={"Accept": accept})
    assert reply.status == 200 and reply.headers["content-type"].startswith(accept)
    g = Graph().parse(data=reply.body, format=rdflib_format)
    assert (URIRef(CUBE), URIRef(CG + "hasVariable"), URIRef(VAR)) in g
    # Incoming links are part of the description.
    assert (URIRef(RUN), URIRef("http://www.w3.org/ns/prov#used"), URIRef(CUBE)) in g
    assert reply.headers["access-control-allow-origin"] == "*"


def test_format_parameter_for_browsers(client):
    reply = client.get("cube/greece-fire?format=turtle", headers={"Accept": BROWSER})
    assert reply.headers["content-type"].startswith("text/turtle")


def test_page_shows_properties_links_and_incoming_links(client):
    html = client.get("cube/greece-fire", headers={"Accept": BROWSER}).text
    assert 'href="/cube/greece-fire/variable/lst"' in html  # local IRIs link on this server
    assert 'href="/run/r1"' in html  # incoming link from the run
    assert "Daily 1 km cube" in html


def test_literals_cannot_inject_script(client):
    html = client.get("cube/greece-fire", headers={"Accept": BROWSER}).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert 'href="javascript:' not in html


def test_cubes_and_runs_carry_a_schema_org_dataset(client):
    for path in ("cube/greece-fire", "run/r1"):
        html = client.get(path, headers={"Accept": BROWSER}).text
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert block, path
        dataset = json.loads(block.group(1))
        assert dataset["@type"] == "Dataset" and dataset["@id"] == BASE + path
        assert dataset["description"]
    cube = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                client.get("cube/greece-fire", headers={"Accept": BROWSER}).text,
                                re.S).group(1))
    assert cube["spatialCoverage"]["geo"]["box"] == "34.5 19.5 42 28.5"
    assert cube["variableMeasured"][0]["url"] == VAR
    # A variable is no dataset.
    assert "application/ld+json\">" not in client.get("cube/greece-fire/variable/lst",
                                                      headers={"Accept": BROWSER}).text


def test_unknown_iri_is_a_helpful_404(client):
    html = client.get("cube/nothing-here", headers={"Accept": BROWSER})
    assert html.status == 404 and html.headers["content-type"].startswith("text/html")
    assert "cube/nothing-here" in html.text and "/sparql" in html.text
    as_json = client.get("cube/nothing-here")
    assert as_json.status == 404 and "nothing is known about" in as_json.json()["message"]


@pytest.mark.parametrize("path", ["cube/..%2F..%2Fetc/passwd", "cube/%2E%2E/%2E%2E/etc/passwd",
                                  "static/..%2F..%2Fapp.py", "static/../../kg/store.py"])
def test_path_traversal_finds_nothing(client, path):
    reply = client.get(path)
    assert reply.status in (400, 404)
    assert b"root:" not in reply.body and b"import" not in reply.body


def test_unacceptable_page_format_is_406(client):
    assert client.get("cube/greece-fire", headers={"Accept": "image/png"}).status == 406


def test_home_page_lists_cubes(client):
    html = client.get("", headers={"Accept": BROWSER}).text
    assert 'href="/cube/greece-fire"' in html


def test_pages_resolve_by_path_whatever_the_port(server):
    # The fixture server runs on a random port while its base IRI is http://test.example/.
    assert str(server.port) not in BASE
    assert BASE + "cube/greece-fire" in server_get(server, "cube/greece-fire")


def server_get(server, path: str) -> str:
    import urllib.request

    req = urllib.request.Request(server.url + path, headers={"Accept": "text/turtle"})
    return urllib.request.urlopen(req, timeout=30).read().decode()
