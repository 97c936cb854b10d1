"""The pipeline on a real on-disk store: idempotence, revisions, atomicity, batches."""

from __future__ import annotations

import shutil

import pytest
from ingest_helpers import write_nc

from rdflib import BNode, Literal, URIRef

from cubegraph.ingest.pipeline import ingest_cube, ingest_paths
from cubegraph.ontology.namespaces import CG, PROV


def test_same_cube_twice_is_unchanged_and_not_rewritten(store, tmp_path):
    path = write_nc(tmp_path / "a.nc")
    first = ingest_cube(store, path)
    assert first.status == "ingested" and first.triples > 0
    before = store.graph(first.cube)
    second = ingest_cube(store, path)
    assert second.status == "unchanged" and second.triples == 0
    assert set(store.graph(first.cube)) == set(before)  # same triples, same ingest time


def test_changed_cube_replaces_its_graph_with_a_revision_link(store, tmp_path):
    path = write_nc(tmp_path / "a.nc")
    first = ingest_cube(store, path)
    old_fp = next(store.graph(first.cube).objects(None, CG.fingerprint))
    old_activity = store.graph(first.cube).value(first.cube, PROV.wasGeneratedBy)
    write_nc(path, time_values=(0.0, 1.0, 2.0, 3.0))
    second = ingest_cube(store, path)
    assert second.status == "replaced"
    graph = store.graph(second.cube)
    assert str(graph.value(second.cube, CG.revisionOf)) == str(old_fp)
    new_activity = graph.value(second.cube, PROV.wasGeneratedBy)
    assert new_activity != old_activity
    assert graph.value(new_activity, PROV.wasInformedBy) == old_activity
    assert len(list(graph.objects(predicate=CG.fingerprint))) == 1  # old distribution gone
    # a third revision keeps the whole chain
    write_nc(path, time_values=(0.0, 1.0))
    third = ingest_cube(store, path)
    graph = store.graph(third.cube)
    chain = graph.value(graph.value(graph.value(third.cube, PROV.wasGeneratedBy), PROV.wasInformedBy), PROV.wasInformedBy)
    assert chain == old_activity


def test_two_cubes_with_one_slug_do_not_overwrite_each_other(store, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = write_nc(tmp_path / "x" / "same.nc")
    b = write_nc(tmp_path / "y" / "same.nc", time_values=(5.0, 6.0))
    assert ingest_cube(store, a).status == "ingested"
    result = ingest_cube(store, b)
    assert result.status == "failed"
    assert "already describes" in str(result.error) and "explicit slug" in str(result.error)
    assert ingest_cube(store, b, slug="same-y").status == "ingested"


def test_batch_goes_on_past_a_bad_file_and_reports(store, tmp_path):
    good = write_nc(tmp_path / "good.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("garbage")
    nounits = write_nc(tmp_path / "nounits.nc", var_attrs={"units": None})  # CF allows it
    summary = ingest_paths(store, [good, bad, nounits, tmp_path / "missing.nc"], progress=False)
    statuses = {r.path.name: r.status for r in summary.results}
    assert statuses == {"good.nc": "ingested", "bad.nc": "failed", "nounits.nc": "ingested",
                        "missing.nc": "failed"}
    assert summary.exit_code == 1
    text = summary.render()
    assert "2 ingested, 0 replaced, 0 unchanged, 2 failed" in text
    assert "bad.nc" in text and "does not exist" in text
    assert len(store.graphs()) == 2


def test_globs_and_folders(store, tmp_path):
    tmp_path = tmp_path / "cubes"
    tmp_path.mkdir()
    for name in ("a.nc", "b.nc"):
        write_nc(tmp_path / name)
    (tmp_path / "readme.txt").write_text("x")
    summary = ingest_paths(store, [str(tmp_path / "*.nc")], progress=False)
    assert len(summary.ingested) == 2
    summary = ingest_paths(store, [tmp_path], progress=False)
    assert len(summary.unchanged) == 2 and [p.name for p in summary.skipped] == ["readme.txt"]
    summary = ingest_paths(store, [str(tmp_path / "*.zarr")], progress=False)
    assert summary.exit_code == 1 and "no path matches" in summary.render()


def test_crash_in_the_write_leaves_the_batch_absent(store, tmp_path, monkeypatch):
    paths = [write_nc(tmp_path / f"c{i}.nc") for i in range(3)]
    original = store.transaction

    class Boom(Exception):
        pass

    def exploding_transaction():
        tx = original()
        calls = []

        def exploding(real):
            def write(*args):
                calls.append(args[0])
                real(*args)
                if len(calls) == 2:
                    raise Boom("disk full")
            return write

        # New cubes are added, changed ones replaced: the crash hits whichever runs.
        tx.add, tx.replace_graph = exploding(tx.add), exploding(tx.replace_graph)
        tx.add_nquads = exploding(tx.add_nquads)
        return tx

    monkeypatch.setattr(store, "transaction", exploding_transaction)
    with pytest.raises(Boom):
        ingest_paths(store, paths, progress=False)
    assert store.graphs() == []  # neither the first nor the second cube half-landed
    monkeypatch.setattr(store, "transaction", original)
    assert ingest_paths(store, paths, progress=False).ok
    assert len(store.graphs()) == 3


def test_stats_are_added_and_a_stats_run_is_not_unchanged(store, tmp_path):
    path = write_nc(tmp_path / "a.nc")
    assert ingest_cube(store, path).status == "ingested"
    result = ingest_cube(store, path, stats=True)
    assert result.status == "replaced"
    graph = store.graph(result.cube)
    var = next(graph.subjects(CG.variableName, None))
    assert float(graph.value(var, CG.meanValue)) == pytest.approx(280.0)
    assert float(graph.value(var, CG.missingFraction)) == 0.0
    assert ingest_cube(store, path, stats=True).status == "unchanged"


def test_moved_cube_is_found_by_fingerprint_and_its_location_updated(store, tmp_path):
    path = write_nc(tmp_path / "a.nc")
    ingest_cube(store, path)
    (tmp_path / "moved").mkdir()
    moved = tmp_path / "moved" / "a.nc"
    shutil.move(path, moved)
    result = ingest_cube(store, moved)
    # the same cube (same slug, same bytes) at its new place: re-described there, once
    assert result.status == "replaced"
    assert ingest_cube(store, moved).status == "unchanged"


def test_describe_paths_puts_in_what_an_output_inherits(store, tmp_path):
    import numpy as np
    import pandas as pd
    import xarray as xr

    from rdflib import namespace as ns

    from cubegraph.ingest.pipeline import describe_paths
    from cubegraph.kg.records.inheritance import Inherited

    # Like a run's predictions: a time axis, a grid without lat/lon, nothing about licence.
    path = tmp_path / "r_predictions.zarr"
    xr.Dataset({"fire_predicted": (("time", "y", "x"), np.zeros((3, 2, 2), "float32"),
                                   {"long_name": "predicted probability of fire", "units": "1"})},
               coords={"time": pd.date_range("2020-01-02", periods=3)},
               attrs={"title": "Predictions of run r"}).to_zarr(path, zarr_format=3, consolidated=False)
    observable = "http://vocab.nerc.ac.uk/standard_name/air_temperature/"
    inherited = Inherited(bbox=(21.5, 39.19, 21.81, 39.5), license="https://spdx.org/licenses/CC-BY-4.0",
                          creator="cubegraph (run r)", created="2024-05-01T10:00:00Z",
                          about={"fire_predicted": observable})
    [(plain_iri, plain)] = describe_paths(store, [path])
    [(cube, graph)] = describe_paths(store, [path], inherited={path: inherited})  # validated too
    assert cube == plain_iri
    added = {(p, o) for _, p, o in graph - plain if not isinstance(o, BNode)}
    assert (ns.DCTERMS.license, URIRef("https://spdx.org/licenses/CC-BY-4.0")) in added
    assert (ns.DCTERMS.created, Literal("2024-05-01T10:00:00Z", datatype=ns.XSD.dateTime)) in added
    assert (CG.isAbout, URIRef(observable)) in added
    assert (CG.westBound, Literal("21.5", datatype=ns.XSD.decimal)) in added
    assert graph.value(cube, ns.DCTERMS.license) is not None and plain.value(cube, ns.DCTERMS.license) is None
