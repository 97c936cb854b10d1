"""End to end on the demo cubes: beat the domain baselines, recover the planted truth.

The demo generator (``cubegraph.ingest.demo``) plants the drivers of next-day fire and of
NDVI one step ahead, and documents them in ``ground_truth.json``; these tests check that a
model trained by ``run_training`` beats the baselines on the held-out year and that SHAP
ranks, and signs, the planted drivers as planted.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from cubegraph.ml.dataset import InputRef
from cubegraph.ml.job import JobInputs, run_training
from cubegraph.ml.train import TrainConfig

demo = pytest.importorskip("cubegraph.ingest.demo")

FIRE_DRIVERS = ("lai", "et", "lst", "t2m", "rh", "wind_speed", "tp", "fwi", "distractor_noise",
                "road_density", "population_density", "elevation", "slope")
SAMPLES = {"train": 60_000, "validation": 30_000, "test": 30_000}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    demo.write_demo_data(out, size="small", seed=42)
    return out


def _truth(demo_dir, target):
    gt = json.loads((demo_dir / "ground_truth.json").read_text())
    cubes = gt["cubes"] if "cubes" in gt else gt
    for entry in (cubes.values() if isinstance(cubes, dict) else cubes):
        if isinstance(entry, dict) and entry.get("target") == target:
            return entry
    raise LookupError(f"no ground truth for {target}: {list(cubes)}")


@pytest.fixture(scope="module")
def fire_runs(demo_dir):
    import torch

    torch.set_num_threads(1)
    path = demo_dir / "greece_fire_daily.zarr"
    job = JobInputs(InputRef(path, "active_fire"), tuple(InputRef(path, v) for v in FIRE_DRIVERS),
                    max_samples=SAMPLES, explain_samples=2000, train=TrainConfig(epochs=15))
    return [run_training(job, seed=11, progress=False) for _ in range(2)]


@pytest.mark.slow
def test_fire_model_beats_fwi_on_the_held_out_year(fire_runs):
    run = fire_runs[0]
    assert run.data.splits["test"].start.startswith("2022")
    assert run.beats("fwi", "auprc") and run.beats("fwi-logistic", "auprc")


@pytest.mark.slow
def test_fire_shap_recovers_the_planted_truth(fire_runs, demo_dir):
    truth = _truth(demo_dir, "active_fire")
    ex = fire_runs[0].explanation
    ranking = ex.ranking()
    assert ranking[:3] == truth["ranking"][:3]
    for effect in truth["effects"]:
        assert ex.importance_of(effect["driver"]).effect_sign == effect["sign"], effect
    planted = {e["driver"] for e in truth["effects"]}
    worst_planted = max(ranking.index(d) for d in planted)
    assert all(ranking.index(d) > worst_planted for d in truth["distractors"] if d in ranking)


@pytest.mark.slow
def test_fire_runs_with_the_same_seed_agree(fire_runs):
    a, b = fire_runs
    assert a.metrics == b.metrics
    assert np.array_equal(a.explanation.attributions, b.explanation.attributions)


@pytest.mark.slow
def test_drought_model_beats_persistence(demo_dir):
    truth = _truth(demo_dir, "ndvi")
    path = demo_dir / "africa_drought_minicube_01.zarr"
    drivers = ("sm", "tp", "t2m", "distractor_noise")
    job = JobInputs(InputRef(path, "ndvi"), tuple(InputRef(path, v) for v in drivers),
                    task="regression", explain_samples=2000)
    run = run_training(job, seed=0, progress=False)
    assert run.beats("persistence", "rmse") and run.beats("climatology", "rmse")
    ranking = run.explanation.ranking()
    assert ranking[:3] == truth["ranking"][:3]
    for effect in truth["effects"]:
        assert run.explanation.importance_of(effect["driver"]).effect_sign == effect["sign"]
    assert ranking[-1] == "distractor_noise"
