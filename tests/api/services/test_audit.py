"""The FAIR provenance audit on a real (tiny) zarr cube, a run and a prediction cube."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from cubegraph.api.services.audit import audit, recompute_fingerprint
from cubegraph.api.services.errors import NotAuditable, ResourceNotFound
from cubegraph.api.services.fair import METRICS
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.ontology.namespaces import DQV

BASE = "http://test.example/"
CUBE = BASE + "cube/mini-ndvi"
RUN = BASE + "run/r1"
PRED = BASE + "cube/mini-pred"
FUJI_IDS = ["FsF-F1-01D", "FsF-F1-02D", "FsF-F2-01M", "FsF-F3-01M", "FsF-F4-01M", "FsF-A1-01M",
            "FsF-A1-02M", "FsF-A1-03D", "FsF-I1-01M", "FsF-I2-01M", "FsF-I3-01M", "FsF-R1-01MD",
            "FsF-R1.1-01M", "FsF-R1.2-01M", "FsF-R1.3-01M", "FsF-R1.3-02D"]

CUBE_TTL = """
@prefix cg: <https://w3id.org/cubegraph/ontology#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{cube}> a cg:DataCube, dcat:Dataset ; dct:title "{title}" ; dct:identifier "{slug}" ;
  dct:description "A tiny cube." ; dct:license <http://spdx.org/licenses/CC-BY-4.0> ;
  dct:creator "tests" ; cg:westBound 36.0 ; cg:eastBound 40.0 ; cg:southBound 1.0 ; cg:northBound 3.0 ;
  cg:hasVariable <{cube}/variable/{var}> ; cg:hasDimension <{cube}/dimension/time> ;
  dcat:distribution <{cube}/distribution> ; cg:sourcePath "{path}" {extra} .
<{cube}/variable/{var}> a cg:Variable ; cg:variableName "{var}" ; cg:unitsString "1" ;
  cg:dtype "float32" ; cg:shape "4,3,5" {varextra} .
<{cube}/dimension/time> a cg:Dimension ; cg:dimensionName "time" ; cg:size 4 .
<{cube}/distribution> a dcat:Distribution, cg:CubeDistribution ;
  dcat:accessURL <file://{path}> ; dcat:mediaType "application/vnd+zarr" ;
  cg:fingerprint "{fp}" ; cg:fingerprintAlgorithm "{alg}" ; dcat:byteSize {size} .
"""

RUN_TTL = """
@prefix cg: <https://w3id.org/cubegraph/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix mls: <http://www.w3.org/ns/mls#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{run}> a cg:ModelRun, mls:Run, prov:Activity ; prov:used <{cube}/variable/ndvi> ;
  prov:startedAtTime "2024-01-01T00:00:00"^^xsd:dateTime ; prov:endedAtTime "2024-01-01T00:01:00"^^xsd:dateTime ;
  cg:status "succeeded" ; cg:seed 42 ; mls:hasOutput <{run}/model> .
<{run}/model> a cg:Model, mls:Model, prov:Entity ; prov:wasGeneratedBy <{run}> .
"""


def write_cube(path: Path, var: str = "ndvi") -> None:
    ds = xr.Dataset(
        {var: (("time", "lat", "lon"), np.arange(60, dtype="float32").reshape(4, 3, 5), {"units": "1"})},
        coords={"time": pd.date_range("2019-01-01", periods=4), "lat": [1.0, 2.0, 3.0],
                "lon": [36.0, 37.0, 38.0, 39.0, 40.0]})
    ds.to_zarr(path, mode="w", zarr_format=2, consolidated=False)


def describe(store, cube: str, path: Path, *, var: str = "ndvi", extra: str = "",
             varextra: str = "") -> None:
    fp = recompute_fingerprint(path)
    slug = cube.rsplit("/", 1)[-1]
    ttl = CUBE_TTL.format(cube=cube, title=slug, slug=slug, var=var, path=path, fp=fp["fingerprint"],
                          alg=fp["algorithm"], size=fp["byte_size"], extra=extra, varextra=varextra)
    store.replace_graph(cube, Graph().parse(data=ttl, format="turtle"))


@pytest.fixture
def store(tmp_path):
    s = open_store(None, base_iri=BASE)
    init_store(s)
    write_cube(tmp_path / "mini.zarr")
    describe(s, CUBE, tmp_path / "mini.zarr")
    yield s
    s.close()


def test_unchanged_cube_passes_with_all_fuji_metrics(store, tmp_path):
    report = audit(store, CUBE)
    assert report.passed, report.problems
    [source] = report.sources
    assert source.status == "unchanged" and source.path == str(tmp_path / "mini.zarr")
    assert source.details["chunk_files"] >= 1 and ".zgroup" in source.details["metadata_sha256"]
    assert [s.conforms for s in report.shapes] == [True]
    ids = [f["id"] for f in report.fair]
    assert ids[:16] == FUJI_IDS and ids[16] == "CG-R1-BYTES"
    fair = {f["id"]: f for f in report.fair}
    assert fair["CG-R1-BYTES"]["passed"]
    assert fair["FsF-R1.1-01M"]["passed"] and "CC-BY-4.0" in fair["FsF-R1.1-01M"]["evidence"]
    assert not fair["FsF-A1-03D"]["passed"]  # a local path only: honest failure
    assert all(f["evidence"] for f in report.fair)
    assert len(METRICS) == 17


def test_changed_chunk_is_flagged_with_what_changed(store, tmp_path):
    chunk = tmp_path / "mini.zarr" / "ndvi" / "0.0.0"
    chunk.write_bytes(chunk.read_bytes() + b"extra")
    report = audit(store, CUBE)
    assert not report.passed
    [source] = report.sources
    assert source.status == "changed"
    assert any(c.startswith("size: recorded") for c in source.changes), source.changes
    assert "changed" in report.problems[0]


def test_changed_structure_is_named(store, tmp_path):
    write_cube(tmp_path / "mini.zarr", var="lai")  # the file now holds another variable
    report = audit(store, CUBE)
    changes = report.sources[0].changes
    assert "variable 'ndvi' is described but no longer in the file" in changes
    assert "variable 'lai' is in the file but not described" in changes


def test_edited_description_is_caught_even_when_fingerprint_matches(store, tmp_path):
    describe(store, CUBE, tmp_path / "mini.zarr")
    store.update(f'DELETE DATA {{ GRAPH <{CUBE}> {{ <{CUBE}/variable/ndvi> '
                 '<https://w3id.org/cubegraph/ontology#shape> "4,3,5" } } ; '
                 f'INSERT DATA {{ GRAPH <{CUBE}> {{ <{CUBE}/variable/ndvi> '
                 '<https://w3id.org/cubegraph/ontology#shape> "9,3,5" } }')
    report = audit(store, CUBE)
    assert report.sources[0].recorded_fingerprint == report.sources[0].current_fingerprint
    assert "variable 'ndvi' shape: recorded 9,3,5, now 4,3,5" in report.sources[0].changes
    assert not report.passed


def test_missing_source(store, tmp_path):
    import shutil

    shutil.rmtree(tmp_path / "mini.zarr")
    report = audit(store, CUBE)
    assert report.sources[0].status == "missing" and not report.passed


def test_shacl_violation_fails_the_audit(store, tmp_path):
    store.update(f'DELETE WHERE {{ GRAPH <{CUBE}> {{ <{CUBE}/variable/ndvi> '
                 '<https://w3id.org/cubegraph/ontology#dtype> ?d } }')
    report = audit(store, CUBE)
    assert not report.passed
    [shape] = report.shapes
    assert not shape.conforms
    assert any("cg:dtype" in v["message"] for v in shape.violations)


def test_run_lineage_reaches_the_source_files(store, tmp_path):
    store.replace_graph(RUN, Graph().parse(data=RUN_TTL.format(run=RUN, cube=CUBE), format="turtle"))
    write_cube(tmp_path / "pred.zarr", var="ndvi_pred")
    describe(store, PRED, tmp_path / "pred.zarr", var="ndvi_pred",
             extra=f"; <http://www.w3.org/ns/prov#wasGeneratedBy> <{RUN}>")
    report = audit(store, PRED)
    assert report.passed, report.problems
    # prediction -> run -> input variable -> its cube -> the source zarr store
    assert {RUN, CUBE + "/variable/ndvi", CUBE, CUBE + "/distribution"} <= set(report.nodes)
    assert sorted(s.cube for s in report.sources) == [CUBE, PRED]
    assert {s.graph for s in report.shapes} == {CUBE, PRED, RUN}
    model = audit(store, RUN + "/model")  # a model reaches the data through its run
    assert CUBE + "/distribution" in model.nodes
    # the input changes: the prediction's audit now fails, naming the input
    chunk = tmp_path / "mini.zarr" / "ndvi" / "0.0.0"
    chunk.write_bytes(chunk.read_bytes() + b"x")
    again = audit(store, PRED)
    assert not again.passed and "mini.zarr" in " ".join(again.problems)


def test_depth_cap_truncates(store, tmp_path):
    store.replace_graph(RUN, Graph().parse(data=RUN_TTL.format(run=RUN, cube=CUBE), format="turtle"))
    report = audit(store, RUN + "/model", max_depth=1)
    assert report.truncated and CUBE not in report.nodes


def test_unknown_and_unauditable_resources(store):
    with pytest.raises(ResourceNotFound, match="no resource <http://test.example/nope>") as info:
        audit(store, BASE + "nope")
    assert info.value.http_status == 404
    with pytest.raises(NotAuditable, match="not auditable because it has no provenance") as info:
        audit(store, "https://w3id.org/cubegraph/ontology#NDVI")
    assert info.value.http_status == 422
    with pytest.raises(NotAuditable, match="only refers to it"):
        audit(store, "http://spdx.org/licenses/CC-BY-4.0")


def test_report_renderings(store):
    report = audit(store, CUBE)
    data = json.loads(report.to_json())
    assert data["passed"] is True and data["iri"] == CUBE and len(data["fair"]) == 17
    graph = report.to_rdf()
    measurements = list(graph.subjects(RDF.type, DQV.QualityMeasurement))
    assert len(measurements) == 17 + 1 + 1 + 1  # FAIR + source + SHACL + overall
    assert (None, PROV.used, URIRef(CUBE)) in graph
    Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    text = report.to_text()
    assert "result: PASSED" in text and "[UNCHANGED]" in text and "FsF-R1.2-01M" in text


def test_cli_audit_exit_codes(tmp_path):
    from cubegraph.api.cli import main

    store_dir, runner = tmp_path / "store", CliRunner()
    s = open_store(store_dir, base_iri=BASE)
    init_store(s)
    write_cube(tmp_path / "mini.zarr")
    describe(s, CUBE, tmp_path / "mini.zarr")
    s.close()
    args = ["--store", str(store_dir), "--base-iri", BASE, "audit"]
    out = runner.invoke(main, [*args, CUBE])
    assert out.exit_code == 0, out.output
    assert "result: PASSED" in out.output
    out = runner.invoke(main, [*args, CUBE, "--format", "turtle"])
    assert "dqv:QualityMeasurement" in out.output
    chunk = tmp_path / "mini.zarr" / "ndvi" / "0.0.0"
    chunk.write_bytes(b"corrupted")
    out = runner.invoke(main, [*args, CUBE, "--format", "json"])
    assert out.exit_code == 2 and json.loads(out.output)["passed"] is False
    out = runner.invoke(main, [*args, BASE + "nope"])
    assert out.exit_code == 1 and "no resource <http://test.example/nope>" in out.output
