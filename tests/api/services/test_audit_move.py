"""Locations that survive a move (issue 12): a data folder moved and its new root declared
keeps every audit clean, from any working folder; a cube re-ingested from a new folder
records its new location and keeps its history."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from cubegraph.api.cli import main as cli
from cubegraph.api.services.audit import audit
from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_cube, ingest_paths, slug_for
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.kg.locations import Locations
from cubegraph.kg.records.variable import variable_sources
from cubegraph.ml.runner import train_job
from cubegraph.ontology.namespaces import CG, PROV, RDF
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.materialize import materialize
from tests_support import REPO, write_example

FIRE = REPO / "examples" / "jobs" / "fire.yaml"
BASE = "http://test.example/"


def test_locations_record_and_resolve_under_a_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loc = Locations("data")
    assert loc.root == tmp_path / "data"
    assert loc.relative("data/cubes/x.zarr") == "cubes/x.zarr"
    assert loc.relative(tmp_path / "elsewhere" / "x.nc") is None
    assert loc.relative("data") is None  # the root itself is no file under it
    assert Locations().relative("data/x.nc") is None
    assert Locations(tmp_path / "moved").resolve("/old/data/cubes/x.zarr", "cubes/x.zarr") \
        == str(tmp_path / "moved" / "cubes" / "x.zarr")
    assert Locations().resolve("/old/data/cubes/x.zarr", "cubes/x.zarr") == "/old/data/cubes/x.zarr"
    assert Locations("data").resolve("/abs/x.nc", None) == "/abs/x.nc"
    # a root declared by mistake hides nothing that is still where it was recorded
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.nc").write_bytes(b"x")
    assert Locations(tmp_path / "wrong").resolve(str(tmp_path / "real" / "x.nc"), "x.nc") \
        == str(tmp_path / "real" / "x.nc")
    # a relative path may not climb out of the root
    assert Locations(tmp_path / "data").resolve("/abs/x.nc", "../real/x.nc") == "/abs/x.nc"


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """A store outside the data folder, cubes and a run inside it; then the folder moved."""
    root = tmp_path_factory.mktemp("move")
    data = root / "data"
    write_demo_data(data / "demo")
    store = open_store(root / "store", base_iri=BASE, data_root=data)
    init_store(store)
    cubes = [data / "demo" / "greece_fire_daily.zarr", data / "demo" / "brazil_tourism_daily.nc"]
    assert ingest_paths(store, cubes, progress=False).ok
    materialize(store)
    record = train_job(store, load_job(FIRE), artifacts=data / "runs", run_id="moved-run",
                       progress=False, max_samples=5_000)
    assert record.status == "succeeded", record.error
    before = {iri: audit(store, str(iri), check_shapes=False).passed
              for iri in (store.iris.cube(slug_for(cubes[0])), record.run)}
    store.close()
    shutil.move(data, root / "new-home")
    return root, record, before


def test_recorded_locations_are_absolute_and_under_the_root(moved):
    root, record, before = moved
    assert all(before.values()), before
    store = open_store(root / "store", base_iri=BASE, read_only=True)
    try:
        dist = store.iris.distribution(slug_for(Path("greece_fire_daily.zarr")))
        graph = store.graph(store.iris.cube(slug_for(Path("greece_fire_daily.zarr"))))
        assert graph.value(dist, CG.dataRootPath) == Literal("demo/greece_fire_daily.zarr")
        model = URIRef(str(record.run) + "/model")
        run_graph = store.graph(record.run)
        assert Path(str(run_graph.value(model, CG.sourcePath))).is_absolute()
        assert run_graph.value(model, CG.dataRootPath) == Literal("runs/moved-run/model.pt")
    finally:
        store.close()


def test_the_moved_folder_with_its_new_root_audits_clean(moved):
    root, record, _ = moved
    store = open_store(root / "store", base_iri=BASE, read_only=True, data_root=root / "new-home")
    try:
        for iri in (store.iris.cube(slug_for(Path("greece_fire_daily.zarr"))), record.run,
                    record.outputs["predictions"]):
            report = audit(store, str(iri), check_shapes=False)
            assert report.passed, (iri, report.problems)
            assert all(s.level == "content" and s.path.startswith(str(root / "new-home"))
                       for s in report.sources)
        lst = store.iris.variable(slug_for(Path("greece_fire_daily.zarr")), "lst")
        sources = variable_sources(store, [lst])
        [row] = sources.values()
        assert Path(str(row["path"])) == root / "new-home" / "demo" / "greece_fire_daily.zarr"
    finally:
        store.close()
    # without declaring the new root, the old paths are gone: the audit says so
    store = open_store(root / "store", base_iri=BASE, read_only=True)
    try:
        report = audit(store, str(record.run), check_shapes=False)
        assert not report.passed and any("is missing" in p for p in report.problems)
    finally:
        store.close()


def test_the_cli_audits_the_moved_folder_from_another_working_folder(moved, tmp_path, monkeypatch):
    root, record, _ = moved
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--store", str(root / "store"), "--base-iri", BASE,
                                      "--data-root", str(root / "new-home"), "audit",
                                      str(record.run)])
    assert result.exit_code == 0, result.output
    assert "verified content:" in result.output
    result = CliRunner().invoke(cli, ["--store", str(root / "store"), "--base-iri", BASE,
                                      "audit", str(record.run)])
    assert result.exit_code == 2, result.output


def test_reingesting_from_a_new_folder_updates_the_location_and_keeps_the_history(tmp_path):
    store = open_store(None, base_iri=BASE)
    init_store(store)
    first = tmp_path / "a" / "example.nc"
    first.parent.mkdir()
    write_example(first, "netcdf4")
    assert ingest_cube(store, first).status == "ingested"
    assert ingest_cube(store, first).status == "unchanged"
    second = tmp_path / "b" / "example.nc"
    second.parent.mkdir()
    shutil.move(first, second)
    result = ingest_cube(store, second)
    assert result.status == "replaced", result.error
    assert ingest_cube(store, second).status == "unchanged"
    graph = store.graph(result.cube)
    assert graph.value(result.cube, CG.sourcePath) == Literal(str(second))
    # both ingests are in the graph, each with the path it read, the new one informed by the old
    paths = {str(p) for a, p in graph.subject_objects(CG.sourcePath)
             if (a, RDF.type, PROV.Activity) in graph}
    assert paths == {str(first), str(second)}
    assert len(list(graph.subject_objects(PROV.wasInformedBy))) == 1
    # moved back, then again: each ingest stays one activity with one time, no loop
    shutil.move(second, first)
    assert ingest_cube(store, first).status == "replaced"
    shutil.move(first, second)
    assert ingest_cube(store, second).status == "replaced"
    graph = store.graph(result.cube)
    activities = [a for a in graph.subjects(RDF.type, PROV.Activity)
                  if (a, CG.sourcePath, None) in graph]
    assert len(activities) == 4
    assert all(len(list(graph.objects(a, PROV.endedAtTime))) == 1 for a in activities)
    informed = dict(graph.subject_objects(PROV.wasInformedBy))
    assert len(informed) == 3 and len(set(informed.values())) == 3
    assert graph.value(result.cube, CG.sourcePath) == Literal(str(second))
