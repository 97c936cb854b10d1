"""A whole run on tiny synthetic cubes: training, baselines, metrics, SHAP, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cubegraph.ml.dataset import InputRef
from cubegraph.ml.errors import EmptySelectionError, MLError
from cubegraph.ml.explain import explain_model
from cubegraph.ml.job import MODEL_KEY, JobInputs, run_training
from cubegraph.ml.train import TrainConfig

from .conftest import FIRE_TRUTH, fire_inputs

FAST = TrainConfig(epochs=8, patience=3)


def _fire_job(path, **kw):
    target, drivers = fire_inputs(path)
    return JobInputs(target, tuple(drivers), explain_samples=400, train=FAST, **kw)


@pytest.fixture(scope="module")
def fire_run(tmp_path_factory):
    from .conftest import make_fire_cube

    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp("fire") / "fire.zarr"
    make_fire_cube().to_zarr(path)
    return path, run_training(_fire_job(path), seed=0, progress=False)


def test_metrics_side_by_side_on_the_same_test_samples(fire_run):
    _, run = fire_run
    assert set(run.metrics) == {MODEL_KEY, "fwi", "fwi-logistic", "logistic"}
    n = len(run.data.splits["test"])
    assert len(run.predictions["test"]) == n
    assert run.beats("fwi", "auprc") and run.beats("fwi", "auroc")
    assert 0 < run.thresholds[MODEL_KEY] < 1
    assert run.trained.best_epoch >= 1 and run.trained.history


def test_shap_recovers_the_planted_drivers(fire_run):
    _, run = fire_run
    ranking = run.explanation.ranking()
    assert set(ranking[:3]) == set(FIRE_TRUTH)
    for var, strength in FIRE_TRUTH.items():
        assert run.explanation.importance_of(var).effect_sign == np.sign(strength)
    assert run.explanation.attributions.shape == (400, len(run.data.variables))
    assert ranking.index("distractor") > 2 and ranking.index("elevation") > 2


def test_summary_table_names_every_row(fire_run):
    _, run = fire_run
    text = run.summary_table()
    for word in ("mlp (model)", "fwi-logistic", "test:auprc", "SHAP", "t2m", "timings"):
        assert word in text


def test_same_seed_same_metrics(fire_run):
    path, run = fire_run
    again = run_training(_fire_job(path), seed=0, progress=False)
    assert again.metrics == run.metrics
    assert again.explanation.ranking() == run.explanation.ranking()


def test_temporal_model_runs_and_explains(fire_run):
    path, _ = fire_run
    run = run_training(_fire_job(path, max_samples=3000), seed=1, model="temporal", progress=False)
    assert run.trained.kind == "window"
    assert set(run.explanation.ranking()[:2]) <= set(FIRE_TRUTH)


def test_regression_beats_persistence(drought_zarr):
    job = JobInputs(InputRef(drought_zarr, "ndvi"),
                    tuple(InputRef(drought_zarr, v) for v in ("sm", "t2m", "distractor")),
                    task="regression", explain_samples=300, train=FAST)
    run = run_training(job, seed=0, progress=False)
    assert {"persistence", "climatology", "ridge"} <= set(run.metrics)
    assert run.beats("persistence", "rmse")
    assert run.explanation.ranking()[-1] == "distractor"
    assert run.explanation.importance_of("t2m").effect_sign == -1


def test_gradient_explainer_agrees_on_the_top_driver(fire_run):
    _, run = fire_run
    ex = explain_model(run.trained, run.data, n_samples=100, method="gradient")
    assert ex.method == "shap.GradientExplainer"
    assert ex.ranking()[0] == run.explanation.ranking()[0]


def test_job_from_dict_and_bad_specs(fire_zarr):
    job = JobInputs.from_dict({
        "target": {"path": str(fire_zarr), "variable": "active_fire"},
        "drivers": [{"path": str(fire_zarr), "variable": "t2m", "iri": "http://x/t2m"}],
        "period": ["2020-01-01", "2022-12-31"], "horizon": 1,
        "features": {"lags": [1]}, "train": {"epochs": 2}})
    assert job.drivers[0].iri == "http://x/t2m" and job.features.lags == (1,)
    with pytest.raises(EmptySelectionError, match="lists no drivers"):
        JobInputs.from_dict({"target": {"path": str(fire_zarr), "variable": "active_fire"}})
    with pytest.raises(MLError, match="needs target"):
        JobInputs.from_dict({"drivers": []})
    with pytest.raises(MLError, match="index_variable 'ffmc'"):
        run_training(_fire_job(fire_zarr, index_variable="ffmc"), progress=False)
