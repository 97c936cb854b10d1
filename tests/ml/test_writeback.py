"""Write-back: the run as ML-Schema/PROV-O triples, predictions and attributions as cubes."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from cubegraph.kg.iris import Iris
from cubegraph.ml.errors import GridMismatch
from cubegraph.ml.job import JobInputs, run_training
from cubegraph.ml.train import TrainConfig
from cubegraph.kg.records.run import run_graph
from cubegraph.ml.writeback import failed_run_record, run_record, save_model, write_predictions
from cubegraph.ontology.namespaces import CG, MLS, PROV

from .conftest import fire_inputs, make_fire_cube

IRIS = Iris("http://test.example/")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "fire.zarr"
    make_fire_cube(side=4).to_zarr(path)
    target, drivers = fire_inputs(path, names=("t2m", "rh", "fwi"))
    drivers = [d.__class__(d.path, d.variable, f"http://test.example/cube/fire/variable/{d.variable}")
               for d in drivers]
    job = JobInputs(target, tuple(drivers), explain_samples=200, train=TrainConfig(epochs=2))
    return run_training(job, seed=0, progress=False)


def test_run_graph_links_inputs_model_evaluations_and_attributions(run, tmp_path):
    art = {"model": save_model(run, tmp_path / "model.pt")}
    g = run_graph(run_record(run, "r1", artifacts=art), IRIS)
    r = IRIS.run("r1")
    assert (r, RDF.type, CG.ModelRun) in g and (r, RDF.type, MLS.Run) in g
    assert (r, CG.status, Literal("succeeded")) in g
    assert (r, PROV.used, URIRef("http://test.example/cube/fire/variable/t2m")) in g
    assert (r, CG.baseline, Literal("fwi")) in g
    model = IRIS.in_run("r1", "model")
    assert (model, CG.sha256, Literal(art["model"]["sha256"])) in g
    ev = IRIS.in_run("r1", "evaluation", "fwi", "test", "auprc")
    assert (ev, CG.baselineOf, IRIS.in_run("r1", "evaluation", "model", "test", "auprc")) in g
    assert (ev, CG.split, Literal("test")) in g
    att = IRIS.in_run("r1", "attribution", "t2m")
    assert (att, CG.attributedVariable, URIRef("http://test.example/cube/fire/variable/t2m")) in g
    assert int(g.value(att, CG.rank)) in (1, 2, 3)
    feat = IRIS.in_run("r1", "feature", "rh_lag1")
    assert (feat, PROV.wasDerivedFrom, URIRef("http://test.example/cube/fire/variable/rh")) in g
    assert g.value(feat, CG.method) == Literal("lag")
    # The graph serialises (no invalid literals, no blank nodes).
    assert "cg:ModelRun" in g.serialize(format="turtle")
    assert not any(isinstance(t, BNode) for t in g.all_nodes())


def test_failed_run_record(tmp_path):
    g = run_graph(failed_run_record("r2", None, GridMismatch("input 'x' does not overlap"), seed=3), IRIS)
    r = IRIS.run("r2")
    assert (r, CG.status, Literal("failed")) in g
    assert "GridMismatch: input 'x' does not overlap" in str(g.value(r, CG.errorMessage))
    assert not list(g.triples((r, MLS.hasOutput, None)))


def test_predictions_and_attributions_cubes(run, tmp_path):
    paths = write_predictions(run, tmp_path, "r1")
    pred = xr.open_zarr(paths["predictions"])
    var = pred["active_fire_predicted"]
    assert var.dims == ("time", "lat", "lon") and pred.attrs["Conventions"] == "CF-1.8"
    s = run.data.splits["test"]
    got = var.values.reshape(var.shape[0], -1)[s.t_idx, s.p_idx]
    assert np.allclose(got, run.predictions["test"], atol=1e-6)
    att = xr.open_zarr(paths["attributions"])
    assert {f"shap_{v}" for v in run.data.variables} == set(att.data_vars)
    assert int(np.isfinite(att["shap_t2m"].values).sum()) == len(run.explanation.rows)
    with pytest.raises(FileExistsError, match="written once"):
        write_predictions(run, tmp_path, "r1")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
