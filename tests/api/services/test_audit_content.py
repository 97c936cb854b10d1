"""The audit re-hashes content and says what it verified: demo cubes, a real run, its outputs.

Issue 12's "done when": one byte changed in any chunk of any variable of a zarr cube, in a
NetCDF file, in a model file or in a prediction cube fails the audit and names it; the
untouched store audits clean; a metadata-only cube is never said to have matching bytes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from cubegraph.api.cli import main as cli
from cubegraph.api.services.audit import audit
from cubegraph.api.services.audit_sources import check_source
from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths, slug_for
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.ml.runner import train_job
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.materialize import materialize
from tests_support import REPO

FIRE = REPO / "examples" / "jobs" / "fire.yaml"
METADATA_DOCS = {"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"}


def flip_byte(path: Path) -> bytes:
    """Change the middle byte of a file in place (same size); returns the old bytes."""
    original = path.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return original


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit-content")
    demo = root / "demo"
    write_demo_data(demo)
    store = open_store(root / "store")
    init_store(store)
    cubes = [demo / "greece_fire_daily.zarr", demo / "brazil_tourism_daily.nc",
             demo / "insar_unrest_stack.zarr"]
    summary = ingest_paths(store, cubes[:2], progress=False)
    assert summary.ok
    assert ingest_paths(store, cubes[2:], progress=False, checksum="metadata").ok
    materialize(store)
    record = train_job(store, load_job(FIRE), artifacts=root / "runs", run_id="fire-audit",
                       progress=False, max_samples=5_000)
    assert record.status == "succeeded", record.error
    yield root, store, record
    store.close()


def cube(store, name: str) -> URIRef:
    return store.iris.cube(slug_for(Path(name)))


def dist(store, name: str) -> URIRef:
    return store.iris.distribution(slug_for(Path(name)))


def test_the_untouched_store_audits_clean_at_content_level(world):
    root, store, record = world
    for iri in (cube(store, "greece_fire_daily.zarr"), cube(store, "brazil_tourism_daily.nc"),
                record.run, record.outputs["predictions"]):
        report = audit(store, str(iri), check_shapes=False)
        assert report.passed, (iri, report.problems)
        assert report.sources and all(s.level == "content" for s in report.sources), iri
        assert all(s.verified.startswith("content: ") for s in report.sources)
    text = audit(store, str(record.run), check_shapes=False).to_text()
    assert "model.pt" in text and "verified content: the sha256 of every byte" in text


def test_one_byte_in_any_chunk_of_any_variable_is_found_and_named(world):
    root, store, _ = world
    store_dir = root / "demo" / "greece_fire_daily.zarr"
    chunks = sorted(p for p in store_dir.rglob("*") if p.is_file() and p.name not in METADATA_DOCS)
    variables = {p.relative_to(store_dir).parts[0] for p in chunks}
    assert len(chunks) >= 40 and len(variables) >= 8
    for chunk in chunks:
        rel = chunk.relative_to(store_dir).as_posix()
        original = flip_byte(chunk)
        try:
            check = check_source(store, dist(store, "greece_fire_daily.zarr"))
        finally:
            chunk.write_bytes(original)
        assert check.status == "changed" and check.level == "content", rel
        assert any(f"variable '{rel.split('/')[0]}': chunk {rel} changed" in c
                   for c in check.changes), (rel, check.changes)
        assert any("ingest --checksum content" in c for c in check.changes)  # if intended
    assert check_source(store, dist(store, "greece_fire_daily.zarr")).status == "unchanged"


def test_a_netcdf_byte_fails_the_cli_audit_with_status_2_naming_the_range(world, tmp_path):
    root, _, _ = world
    path = tmp_path / "brazil_tourism_daily.nc"
    shutil.copy(root / "demo" / "brazil_tourism_daily.nc", path)
    args = ["--store", str(tmp_path / "store"), "--base-iri", "http://test.example/"]
    runner = CliRunner()
    result = runner.invoke(cli, [*args, "ingest", "-q", "--checksum", "content", str(path)])
    assert result.exit_code == 0, result.output
    iri = f"http://test.example/cube/{slug_for(path)}"
    clean = runner.invoke(cli, [*args, "audit", iri])
    assert clean.exit_code == 0 and "verified content:" in clean.output, clean.output
    flip_byte(path)
    result = runner.invoke(cli, [*args, "audit", iri])
    assert result.exit_code == 2, result.output
    assert "result: FAILED" in result.output
    # NetCDF-4: located to the variable and its chunk, by byte range
    assert re.search(r"variable '\w+': chunk 0\.0\.0 \(bytes \d+-\d+\) changed", result.output)


def test_a_changed_model_file_fails_the_runs_audit(world):
    _, store, record = world
    original = flip_byte(record.model_path)
    try:
        report = audit(store, str(record.run), check_shapes=False)
    finally:
        record.model_path.write_bytes(original)
    assert not report.passed
    assert any(str(record.model_path) in p and "sha256: recorded" in p for p in report.problems)
    assert audit(store, str(record.run), check_shapes=False).passed


def test_a_changed_prediction_chunk_fails_the_prediction_and_the_run(world):
    root, store, record = world
    pred = record.outputs["predictions"]
    folder = root / "runs" / "fire-audit" / "fire-audit_predictions.zarr"
    chunk = max((p for p in folder.rglob("*") if p.is_file() and p.name not in METADATA_DOCS),
                key=lambda p: p.stat().st_size)
    rel = chunk.relative_to(folder).as_posix()
    original = flip_byte(chunk)
    try:
        for iri in (pred, record.run):
            report = audit(store, str(iri), check_shapes=False)
            assert not report.passed, iri
            assert any(f"chunk {rel} changed" in p for p in report.problems), report.problems
    finally:
        chunk.write_bytes(original)


def test_a_metadata_only_cube_never_claims_its_bytes_match(world, tmp_path):
    root, store, _ = world
    insar = root / "demo" / "insar_unrest_stack.zarr"
    report = audit(store, str(cube(store, "insar_unrest_stack.zarr")), check_shapes=False)
    assert report.passed
    [src] = report.sources
    assert src.level == "sizes" and "content NOT hashed" in src.verified
    assert "no content digest was recorded" in src.verified
    text = report.to_text()
    assert "verified sizes:" in text and "bytes match" not in text
    turtle = report.to_rdf().serialize(format="turtle")
    assert "content NOT hashed" in turtle and "bytes match" not in turtle
    # --deep cannot hash what was never recorded, and says so again
    chunk = next(p for p in insar.rglob("*") if p.is_file() and p.name not in METADATA_DOCS)
    original = flip_byte(chunk)
    try:
        deep = audit(store, str(cube(store, "insar_unrest_stack.zarr")), check_shapes=False,
                     deep=True)
    finally:
        chunk.write_bytes(original)
    assert deep.sources[0].level == "sizes" and deep.passed  # honest: not seen at this level


def test_a_vanished_output_is_missing(world, tmp_path):
    root, store, record = world
    folder = root / "runs" / "fire-audit" / "fire-audit_attributions.zarr"
    moved = tmp_path / "elsewhere.zarr"
    shutil.move(folder, moved)
    try:
        report = audit(store, str(record.run), check_shapes=False)
    finally:
        shutil.move(moved, folder)
    assert not report.passed
    assert any("attributions.zarr" in p and "is missing" in p for p in report.problems)


def test_the_run_records_exactly_the_catalogued_bytes_it_read(world):
    from cubegraph.ingest.content import digest_content
    from cubegraph.kg.records.run import run_usages

    root, store, record = world
    [usage] = [u for u in run_usages(store, record.run) if "greece" in str(u.cube)]
    assert usage.content is not None and usage.content.leaf_count >= 10
    full = digest_content(root / "demo" / "greece_fire_daily.zarr")
    read = {p: set(leaves) for p, leaves in usage.content.leaves.items()}
    # every piece it read is a piece of the cube as ingested, with the same sha256
    assert usage.content == full.restricted(read)
    assert {"active_fire", "lst", "t2m"} <= set(read)


def test_a_byte_the_run_read_fails_its_read_check_by_name(world):
    root, store, record = world
    from cubegraph.kg.records.run import run_usages

    [usage] = [u for u in run_usages(store, record.run) if "greece" in str(u.cube)]
    rel = sorted(usage.content.leaves["lst"])[0]
    chunk = root / "demo" / "greece_fire_daily.zarr" / rel
    original = flip_byte(chunk)
    try:
        report = audit(store, str(record.run), check_shapes=False)
    finally:
        chunk.write_bytes(original)
    reads = [s for s in report.sources if "run <" in s.verified]
    assert reads and all(s.level == "content" for s in reads)
    assert any(f"since the run read it: variable 'lst': chunk {rel} changed" in c
               for s in reads for c in s.changes)
    assert not report.passed


def test_the_chart_is_recorded_and_a_changed_chart_fails_the_runs_audit(world):
    from cubegraph.kg.records.run import read_run

    _, store, record = world
    chart = read_run(store, record.run).chart
    assert chart is not None and Path(chart.path) == record.chart and chart.media_type == "image/png"
    original = flip_byte(record.chart)
    try:
        report = audit(store, str(record.run), check_shapes=False)
    finally:
        record.chart.write_bytes(original)
    assert not report.passed
    assert any("shap.png" in p and "sha256: recorded" in p for p in report.problems)


def test_reads_over_the_limit_are_not_hashed_and_say_so(world, monkeypatch):
    from cubegraph.api.services import audit_sources

    _, store, record = world
    monkeypatch.setattr(audit_sources, "AUTO_LIMIT", 10)
    reads = audit_sources.check_reads(store, record.run)
    assert reads and all(r.level == "none" and r.status == "unverifiable" for r in reads)
    assert all("NOT hashed again" in r.verified and "--deep" in r.verified for r in reads)
    deep = audit_sources.check_reads(store, record.run, deep=True)
    assert all(r.level == "content" and r.status == "unchanged" for r in deep)


def test_an_altered_manifest_is_caught_by_its_root(world):
    from rdflib import Literal

    from cubegraph.kg.records.content import ContentDigest
    from cubegraph.ontology.namespaces import CG

    _, store, _ = world
    cube_iri, d = cube(store, "greece_fire_daily.zarr"), dist(store, "greece_fire_daily.zarr")
    graph = store.graph(cube_iri)
    manifest = ContentDigest.from_text(str(graph.value(d, CG.contentManifest)))
    leaves = {p: dict(v) for p, v in manifest.leaves.items()}
    key = sorted(leaves["lst"])[0]
    leaves["lst"][key] = "0" * 64  # a forged leaf
    forged = ContentDigest(manifest.algorithm, leaves, manifest.byte_count)
    altered = graph.__class__()
    for t in graph:
        altered.add(t)
    altered.set((d, CG.contentManifest, Literal(forged.to_text())))
    store.replace_graph(cube_iri, altered)
    try:
        check = check_source(store, d)
    finally:
        store.replace_graph(cube_iri, graph)
    assert check.status == "changed"
    assert any("does not add up to the recorded content digest" in c for c in check.changes)


def test_catalog_reads_leave_the_manifest_out(world):
    from cubegraph.kg.records.cube import dataset_triples
    from cubegraph.ontology.namespaces import CG

    _, store, _ = world
    g = cube(store, "greece_fire_daily.zarr")
    triples = dataset_triples(store, [str(g)]).graph()
    assert not list(triples.triples((None, CG.contentManifest, None)))
    assert list(triples.triples((None, CG.contentDigest, None)))


def test_catalog_reads_take_the_cube_and_its_variables_not_every_triple(world):
    """DATASETS once began with a BIND that saw ?cube unbound and so matched every triple of
    the graph (dimensions, notes, provenance); a catalog reader gets what it names."""
    from rdflib.namespace import RDF

    from cubegraph.kg.records.cube import dataset_triples
    from cubegraph.ontology.namespaces import CG, DQV

    _, store, _ = world
    g = cube(store, "greece_fire_daily.zarr")
    triples = dataset_triples(store, [str(g)]).graph()
    full = store.graph(str(g))
    assert list(full.subjects(RDF.type, CG.Dimension))  # the cube has dimensions ...
    assert not list(triples.subjects(RDF.type, CG.Dimension))  # ... a catalog read leaves out
    assert not list(triples.triples((None, CG.size, None)))
    assert not list(triples.subjects(RDF.type, DQV.QualityAnnotation))
    assert set(triples.objects(g, CG.hasVariable)) == set(full.objects(g, CG.hasVariable))
    assert len(triples) < len(full)
