"""Discovery, exports and audits over real HTTP, on the ingested demo cubes."""

from __future__ import annotations

import json

import pytest

from cubegraph.api.web.app import create_app
from cubegraph.api.web.serve import ServerThread
from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.reasoning.materialize import materialize

from tests_support import Client

BASE = "http://test.example/"
SETTINGS = {"TOKEN": "t", "BASE_IRI": BASE, "QUERY_TIMEOUT": 10.0, "QUERY_WORKERS": 1}


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("discovery")
    write_demo_data(root / "demo")
    store = open_store(root / "store", base_iri=BASE)
    init_store(store)
    assert ingest_paths(store, [root / "demo"], progress=False).ok
    materialize(store)
    srv = ServerThread(create_app({**SETTINGS, "STORE": store}), port=0).start()
    yield Client(srv.url), root
    srv.stop()


def test_search_by_meaning_place_and_time(demo_client):
    client, _ = demo_client
    r = client.get("api/search", params={"phenomenon": "Vegetation", "bbox": "33,-5,52,15",
                                        "start": "2019-01-01", "end": "2019-12-31"})
    assert r.status == 200, r.text
    hits = r.json()["results"]
    assert hits and all("africa-drought" in h["cube"] for h in hits)
    assert "phenomenon" in r.json()["facets"]


def test_free_text_ranks_the_best_match_first(demo_client):
    client, _ = demo_client
    r = client.get("api/search", params={"text": "wildfire"})
    assert r.status == 200
    assert "greece-fire" in r.json()["results"][0]["cube"]


@pytest.mark.parametrize("params, message", [
    ({"bbox": "1,2,3"}, "bbox"),
    ({"start": "2020-13-45"}, "date"),
    ({"start": "2021-01-01", "end": "2020-01-01"}, "inverted"),
    ({"page": "0"}, "page"),
    ({"page_size": "100000"}, "page_size"),
])
def test_bad_search_input_is_a_clear_400(demo_client, params, message):
    client, _ = demo_client
    r = client.get("api/search", params=params, headers={"Accept": "application/json"})
    assert r.status == 400
    assert message in r.text.lower() and "traceback" not in r.text.lower()


def test_injection_through_search_text_finds_nothing_and_breaks_nothing(demo_client):
    client, _ = demo_client
    for text in ['" } UNION { ?s ?p ?o } #', "fire') } ; DROP ALL ; #", "<script>alert(1)</script>"]:
        r = client.get("api/search", params={"text": text})
        assert r.status in (200, 400), r.text
        if r.status == 200:
            assert r.json()["results"] == []
    assert client.query("ASK { ?s a <https://w3id.org/cubegraph/ontology#DataCube> }",
                        accept="application/sparql-results+json").json()["boolean"] is True


def test_audit_over_http(demo_client):
    client, _ = demo_client
    cube = BASE + "cube/greece-fire-daily-zarr"
    r = client.get("api/audit", params={"iri": cube})
    assert r.status == 200, r.text
    report = r.json()
    assert report["passed"] is True
    ids = json.dumps(report)
    assert "FsF-F1-01D" in ids and "FsF-R1.3-02D" in ids
    r = client.get("api/audit", params={"iri": BASE + "cube/no-such-cube"})
    assert r.status == 404


def test_exports_over_http(demo_client):
    client, _ = demo_client
    r = client.get("catalog.ttl")
    assert r.status == 200 and b"dcat:Catalog" in r.body
    r = client.get("stac/catalog.json")
    assert r.status == 200 and r.json()["type"] == "Catalog"
    r = client.get("void.ttl")
    assert r.status == 200 and b"void:Dataset" in r.body
