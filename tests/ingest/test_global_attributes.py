"""CMIP6 global attributes are kept in the cube's description, one literal per value, so a
SPARQL filter on experiment_id or variant_label is one triple pattern (issue 13).

Files are written here (netCDF4, zarr v3 metadata): the real CMIP6 file in ../shared is
checked too when it is there, but nothing depends on it.
"""

from __future__ import annotations

import pytest
from ingest_helpers import write_nc, write_zarr3
from rdflib import Literal, URIRef
from tests_support import REAL_DATA

from cubegraph.api.services.catalog_export import dcat_catalog
from cubegraph.ingest.cubes import read_metadata
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.ingest.semantics import resolve_semantics
from cubegraph.kg.bootstrap import init_store
from cubegraph.kg.iris import Iris
from cubegraph.kg.records.cube import describe_triples
from cubegraph.ontology.namespaces import CG, DCAT

#: As the AWI-CM-1-1-MR historical file writes them (tracking_id and URL shortened).
CMIP6 = {
    "Conventions": "CF-1.7 CMIP-6.2", "title": "AWI-CM-1-1-MR output prepared for CMIP6",
    "mip_era": "CMIP6", "activity_id": "CMIP", "institution_id": "AWI",
    "source_id": "AWI-CM-1-1-MR", "experiment_id": "historical", "sub_experiment_id": "none",
    "variant_label": "r1i1p1f1", "table_id": "Amon", "variable_id": "t", "grid_label": "gn",
    "frequency": "mon", "realm": "atmos", "tracking_id": "hdl:21.14100/57813c46-6561-4459",
    "further_info_url": "https://furtherinfo.es-doc.org/CMIP6.AWI.AWI-CM-1-1-MR.historical.none.r1i1p1f1",
    "forcing_index": 1,  # other attributes stay out
}
PREFIXES = """PREFIX cg: <https://w3id.org/cubegraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def describe(path):
    meta = resolve_semantics(read_metadata(path))
    return describe_triples(meta, Iris("http://test.example/"), slug="c",
                            ingested_at="2024-01-01T00:00:00Z").graph()


def facets(graph) -> dict[str, list[str]]:
    cube = URIRef("http://test.example/cube/c")
    out: dict[str, list[str]] = {}
    for p, o in graph.predicate_objects(cube):
        if str(p).startswith(str(CG._NS)) and p not in (CG.conventions, CG.sourcePath,
                                                        CG.ingestWarning, CG.hasDimension,
                                                        CG.hasVariable, CG.westBound, CG.eastBound,
                                                        CG.southBound, CG.northBound, CG.crs):
            out.setdefault(str(p)[len(str(CG._NS)):], []).append(str(o))
    return {k: sorted(v) for k, v in out.items()}


def test_cmip6_attributes_are_kept(tmp_path):
    g = describe(write_nc(tmp_path / "ta.nc", global_attrs=CMIP6))
    assert facets(g) == {
        "mipEra": ["CMIP6"], "activityId": ["CMIP"], "institutionId": ["AWI"],
        "sourceId": ["AWI-CM-1-1-MR"], "experimentId": ["historical"],
        "subExperimentId": ["none"], "variantLabel": ["r1i1p1f1"], "memberId": ["r1i1p1f1"],
        "tableId": ["Amon"], "variableId": ["t"], "gridLabel": ["gn"], "frequency": ["mon"],
        "realm": ["atmos"], "trackingId": ["hdl:21.14100/57813c46-6561-4459"],
    }
    assert list(g.objects(URIRef("http://test.example/cube/c"), DCAT.landingPage)) == [
        URIRef(CMIP6["further_info_url"])]


def test_lists_split_and_member_id_composed(tmp_path):
    attrs = {**CMIP6, "activity_id": "C4MIP CDRMIP", "realm": "atmos  atmosChem",
             "sub_experiment_id": "s1960", "further_info_url": "see the ES-DOC page"}
    g = describe(write_nc(tmp_path / "a.nc", global_attrs=attrs))
    got = facets(g)
    assert got["activityId"] == ["C4MIP", "CDRMIP"] and got["realm"] == ["atmos", "atmosChem"]
    assert got["memberId"] == ["s1960-r1i1p1f1"]  # the DRS's [sub_experiment_id-]variant_label
    assert not list(g.objects(None, DCAT.landingPage))  # not a URL: not a landing page
    # a member_id the file gives is kept as written; no mip_era, nothing composed
    given = facets(describe(write_nc(tmp_path / "b.nc", global_attrs={**CMIP6, "member_id": "r9"})))
    assert given["memberId"] == ["r9"]
    no_era = {k: v for k, v in CMIP6.items() if k != "mip_era"}
    assert "memberId" not in facets(describe(write_nc(tmp_path / "c.nc", global_attrs=no_era)))


def test_a_zarr_store_keeps_them_too(tmp_path):
    path = write_zarr3(tmp_path / "z.zarr", {
        "time": (("time",), (2,), "float64", {"standard_name": "time", "units": "days since 2000-01-01"}),
        "t": (("time",), (2,), "float32", {"standard_name": "air_temperature", "units": "K"}),
    }, attrs=CMIP6)
    assert facets(describe(path))["experimentId"] == ["historical"]


def test_sparql_filters_on_experiment_and_variant(store, tmp_path):
    hist = ingest_cube(store, write_nc(tmp_path / "hist.nc", global_attrs=CMIP6))
    ssp = ingest_cube(store, write_nc(tmp_path / "ssp.nc", global_attrs={
        **CMIP6, "experiment_id": "ssp585", "activity_id": "ScenarioMIP"}))
    other = ingest_cube(store, write_nc(tmp_path / "r2.nc", global_attrs={
        **CMIP6, "variant_label": "r2i1p1f1"}))
    assert {hist.status, ssp.status, other.status} == {"ingested"}  # SHACL-valid
    rows = store.query(PREFIXES + """SELECT ?cube ?experiment ?variant WHERE {
        ?cube cg:experimentId ?experiment ; cg:variantLabel ?variant }""",
                       bindings={"experiment": Literal("historical"),
                                 "variant": Literal("r1i1p1f1")}).rows()
    assert [r["cube"] for r in rows] == [hist.cube]
    # every CMIP attribute of a cube, by its name in the file, through the ontology
    init_store(store)
    named = store.query(PREFIXES + """SELECT ?cube ?name ?value WHERE {
        ?cube ?p ?value . ?p rdfs:subPropertyOf cg:cmipAttribute ; skos:notation ?name }""",
                        bindings={"cube": ssp.cube}).rows()
    found = {str(r["name"]): str(r["value"]) for r in named}
    assert found["experiment_id"] == "ssp585" and found["activity_id"] == "ScenarioMIP"
    assert found["tracking_id"] == CMIP6["tracking_id"] and len(found) == 14
    # the DCAT export carries them and the landing page
    catalog = dcat_catalog(store)
    assert catalog.value(hist.cube, CG.experimentId) == Literal("historical")
    assert catalog.value(hist.cube, DCAT.landingPage) == URIRef(CMIP6["further_info_url"])


REAL_CMIP6 = REAL_DATA / "ta_Amon_AWI-CM-1-1-MR_historical_r1i1p1f1_gn_195001-195012.nc"


@pytest.mark.skipif(not REAL_CMIP6.is_file(), reason="no real CMIP6 file in ../shared/data/real")
def test_the_real_cmip6_file():
    got = facets(describe(REAL_CMIP6))
    assert (got["experimentId"], got["variantLabel"], got["sourceId"], got["memberId"]) == (
        ["historical"], ["r1i1p1f1"], ["AWI-CM-1-1-MR"], ["r1i1p1f1"])
    assert got["trackingId"] == ["hdl:21.14100/57813c46-6561-4459-adbc-c20e7d2310c3"]
