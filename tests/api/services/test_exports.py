"""DCAT, STAC (validated offline), VoID and schema.org exports; the discovery blueprint."""

from __future__ import annotations

import json
from pathlib import Path

import pystac
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, VOID

from cubegraph.api.services import catalog_export, stac_export
from cubegraph.api.services.errors import ResourceNotFound, StacValidationFailed
from cubegraph.api.services.stac_validation import validate_stac_dict
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store

DATA = Path(__file__).parent / "data" / "catalog.trig"
BASE = "http://test.example/"
CUBES = ["africa-lai", "africa-ndvi", "africa-ndvi-monthly", "brazil-tourism", "greece-fire",
         "pacific-insar"]


@pytest.fixture(scope="module")
def store():
    s = open_store(None, base_iri=BASE)
    init_store(s)
    s.load(DATA)
    yield s
    s.close()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to fetch a schema over the network fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:1]}")

    original = pystac.stac_io.DefaultStacIO.read_text

    def local_only(self, source, *args, **kwargs):
        if str(source).startswith(("http:", "https:")):
            refuse(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setattr(pystac.stac_io.DefaultStacIO, "read_text", local_only)


def test_dcat_catalog_lists_every_cube_turtle_and_jsonld(store):
    graph = catalog_export.dcat_catalog(store)
    catalog = URIRef(BASE + "catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    assert sorted(str(d).rsplit("/", 1)[-1] for d in graph.objects(catalog, DCAT.dataset)) == CUBES
    cube = URIRef(BASE + "cube/africa-ndvi")
    assert (cube, RDF.type, DCAT.Dataset) in graph
    assert graph.value(cube, DCAT.distribution) is not None
    location = graph.value(cube, URIRef("http://purl.org/dc/terms/spatial"))
    assert "POLYGON((35.0 -2.0" in str(graph.value(location, DCAT.bbox))
    service = graph.value(catalog, DCAT.service)
    assert graph.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    # Inferences and the ontology stay out of the catalog.
    assert not list(graph.triples((None, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))))
    for fmt, parse_as in (("turtle", "turtle"), ("jsonld", "json-ld")):
        again = Graph().parse(data=catalog_export.serialize_graph(graph, fmt), format=parse_as)
        assert len(again) == len(graph)


def test_stac_catalog_validates_offline(store, no_network):
    objects = stac_export.stac_dicts(store)  # validates every object
    assert sorted(k for k in objects if k != "catalog") == CUBES
    coll = objects["africa-ndvi"]
    assert coll["type"] == "Collection" and coll["stac_version"] == "1.1.0"
    assert coll["extent"]["spatial"]["bbox"] == [[35.0, -2.0, 48.0, 12.0]]
    assert coll["extent"]["temporal"]["interval"][0][0].startswith("2018-06-01T00:00:00")
    assert coll["license"] == "CC-BY-4.0"
    rels = {link["rel"]: link["href"] for link in coll["links"]}
    assert rels["cite-as"] == BASE + "cube/africa-ndvi"
    assert rels["self"] == BASE + "stac/africa-ndvi/collection.json"
    assert coll["assets"]["data"]["href"] == "file:///data/africa-ndvi.zarr"
    # An antimeridian box stays west > east (STAC allows it); an unknown licence is "other".
    assert objects["pacific-insar"]["extent"]["spatial"]["bbox"] == [[170.0, -20.0, -170.0, -10.0]]
    assert objects["pacific-insar"]["license"] == "other"
    children = [l["href"] for l in objects["catalog"]["links"] if l["rel"] == "child"]
    assert len(children) == len(CUBES)


def test_stac_validation_rejects_invalid_objects(store, no_network):
    coll = stac_export.stac_dicts(store)["greece-fire"]
    broken = dict(coll)
    del broken["extent"]
    with pytest.raises(StacValidationFailed, match="greece-fire"):
        validate_stac_dict(broken)
    with pytest.raises(StacValidationFailed, match="offline"):
        validate_stac_dict({**coll, "stac_extensions": ["https://stac-extensions.github.io/datacube/v2.2.0/schema.json"]})
    with pytest.raises(StacValidationFailed, match="only 1.1.0"):
        validate_stac_dict({**coll, "stac_version": "1.0.0"})
    bad_bbox = {**coll, "extent": {**coll["extent"], "spatial": {"bbox": [[1, 2, 3]]}}}
    with pytest.raises(StacValidationFailed):
        validate_stac_dict(bad_bbox)


def test_write_stac_folder_reads_back(store, tmp_path, no_network):
    files = stac_export.write_stac(store, tmp_path / "stac")
    assert tmp_path / "stac" / "catalog.json" in files
    assert len(files) == 1 + len(CUBES)
    catalog = pystac.Catalog.from_file(str(tmp_path / "stac" / "catalog.json"))
    assert sorted(c.id for c in catalog.get_children()) == CUBES
    for path in files:
        validate_stac_dict(json.loads(path.read_text()))


def test_void_counts_match_the_store(store):
    graph = catalog_export.void_description(store)
    dataset = URIRef(BASE + "void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert int(graph.value(dataset, VOID.triples)) == store.count()
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    stats = store.stats()
    subsets = {str(graph.value(s, URIRef("http://www.w3.org/ns/sparql-service-description#name"))):
               int(graph.value(s, VOID.triples)) for s in graph.objects(dataset, VOID.subset)}
    assert subsets == {g: n for g, n in stats.items() if g}
    cube_subset = next(s for s in graph.objects(dataset, VOID.subset)
                       if str(graph.value(s, URIRef("http://www.w3.org/ns/sparql-service-description#name")))
                       == BASE + "cube/greece-fire")
    assert int(graph.value(cube_subset, VOID.entities)) == 4  # cube, 2 variables, distribution
    assert int(graph.value(dataset, VOID.entities)) > 0
    assert any(True for _ in graph.objects(dataset, VOID.classPartition))


def test_schema_org_dataset(store):
    doc = catalog_export.schema_org_dataset(store, BASE + "cube/greece-fire")
    assert doc["@type"] == "Dataset" and doc["@context"] == "https://schema.org/"
    assert doc["name"] == "Greece next-day wildfire danger"
    assert {v["name"] for v in doc["variableMeasured"]} == {"lst", "t2m"}
    assert doc["spatialCoverage"]["geo"]["box"] == "34.0 19.0 42.0 29.0"
    assert doc["temporalCoverage"] == "2019-06-01/2021-09-30"
    assert "air temperature" in doc["keywords"]
    with pytest.raises(ResourceNotFound, match="no cube <http://test.example/cube/nope>"):
        catalog_export.schema_org_dataset(store, BASE + "cube/nope")


def test_cli_export(tmp_path):
    from cubegraph.api.cli import main

    store_dir, runner = tmp_path / "store", CliRunner()
    base = ["--store", str(store_dir), "--base-iri", BASE]
    assert runner.invoke(main, [*base, "load", str(DATA)]).exit_code == 0
    out = runner.invoke(main, [*base, "export", "dcat", "-o", str(tmp_path / "cat.ttl")])
    assert out.exit_code == 0, out.output
    assert len(Graph().parse(tmp_path / "cat.ttl")) > 50
    out = runner.invoke(main, [*base, "export", "stac", "-o", str(tmp_path / "stac")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "stac" / "greece-fire" / "collection.json").is_file()
    out = runner.invoke(main, [*base, "export", "void", "--format", "jsonld"])
    assert out.exit_code == 0 and "void" in out.output


@pytest.fixture
def client(store):
    flask_app = pytest.importorskip("cubegraph.api.web.app")
    app = flask_app.create_app({"STORE": store, "BASE_IRI": BASE, "TESTING": True})
    yield app.test_client()
    flask_app.close_app(app)


def test_blueprint_routes(client):
    r = client.get("/api/search?phenomenon=Vegetation&bbox=33,-5,52,15&start=2019-01-01"
                   "&end=2019-12-31&resolution=P1D")
    assert r.status_code == 200 and r.json["total"] == 2
    assert client.get("/api/search?bbox=1,2").status_code == 400
    assert client.get("/api/search?page_size=9999").status_code == 400
    r = client.get("/catalog.ttl")
    assert r.status_code == 200 and r.mimetype == "text/turtle" and b"dcat:Catalog" in r.data
    assert client.get("/catalog.jsonld").mimetype == "application/ld+json"
    r = client.get("/stac/catalog.json")
    assert r.status_code == 200 and r.json["type"] == "Catalog"
    r = client.get("/stac/greece-fire/collection.json")
    assert r.status_code == 200 and r.json["id"] == "greece-fire"
    assert client.get("/stac/nope/collection.json").status_code == 404
    assert b"void:Dataset" in client.get("/void.ttl").data
    assert client.get("/api/audit?iri=http://test.example/nothing").status_code == 404
    assert client.get("/api/audit").status_code == 400


def test_jsonld_is_valid_json_with_non_finite_numbers():
    from rdflib import Literal
    from rdflib.namespace import XSD

    graph = Graph()
    s = URIRef("http://test.example/cube/x/variable/v")
    graph.add((s, URIRef("https://w3id.org/cubegraph/ontology#minValue"), Literal("NaN", datatype=XSD.double)))
    graph.add((s, URIRef("https://w3id.org/cubegraph/ontology#maxValue"), Literal(float("inf"))))
    graph.add((s, URIRef("https://w3id.org/cubegraph/ontology#meanValue"), Literal(float("-inf"))))

    def refuse(name):
        raise ValueError(f"bare {name} in JSON")

    text = catalog_export.serialize_graph(graph, "jsonld").decode()
    json.loads(text, parse_constant=refuse)  # strict JSON
    assert '"@value": "-INF"' in text and '"@type": "http://www.w3.org/2001/XMLSchema#double"' in text

    def as_numbers(g):
        return sorted(str(float(o)) for o in g.objects(s, None)
                      if o.datatype == XSD.double)

    back = Graph().parse(data=text, format="json-ld")
    assert as_numbers(back) == sorted(["nan", "inf", "-inf"])  # typed doubles, not strings
    # uncompacted, the value objects keep their own type
    from cubegraph.kg.serialize import jsonld_text

    plain = Graph().parse(data=jsonld_text(graph), format="json-ld")
    assert as_numbers(plain) == sorted(["nan", "inf", "-inf"])
