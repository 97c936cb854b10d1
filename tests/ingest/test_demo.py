"""Demo data: deterministic, small, and carrying a learnable planted ground truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from cubegraph.ingest.demo import FIRE_EFFECTS, write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.ontology.namespaces import CG, PROV


def z(x):
    return (x - x.mean()) / x.std()


def test_layout_and_size(demo_dir):
    names = sorted(p.name for p in demo_dir.iterdir())
    assert names == [
        "africa_drought_minicube_01.zarr", "africa_drought_minicube_02.zarr",
        "africa_drought_minicube_03.zarr", "brazil_tourism_daily.nc", "greece_fire_daily.zarr",
        "ground_truth.json", "insar_unrest_stack.zarr",
    ]
    size = sum(f.stat().st_size for f in demo_dir.rglob("*") if f.is_file())
    assert size < 30 * 1024 * 1024
    truth = json.loads((demo_dir / "ground_truth.json").read_text())
    fire = truth["cubes"]["greece_fire_daily.zarr"]
    assert fire["ranking"][:3] == ["fwi", "lst", "rh"]
    assert 0.05 <= fire["positive_rate"] <= 0.15
    assert fire["derived_from_target"] == {"burned_area": "active_fire", "fire_count_7d": "active_fire"}


def test_fire_ground_truth_is_visible_in_the_data(demo_dir):
    ds = xr.open_zarr(demo_dir / "greece_fire_daily.zarr")
    fire = ds["active_fire"].values[1:].astype(bool).ravel()
    gaps = {}
    for name in ("fwi", "lst", "rh", "distractor_noise", "t2m", "lai"):  # noqa: B007
        x = z(ds[name].values.astype("float64"))[:-1].ravel()  # lag 1
        gaps[name] = x[fire].mean() - x[~fire].mean()
    assert gaps["fwi"] > gaps["lst"] > 0 > gaps["rh"]
    assert gaps["fwi"] > abs(gaps["rh"])
    # zero-effect variables: only a weak seasonal confounding (t2m, lai share the season)
    assert abs(gaps["distractor_noise"]) < 0.05
    planted = min(abs(gaps[n]) for n in ("fwi", "lst", "rh"))
    assert max(abs(gaps[n]) for n in ("t2m", "lai", "distractor_noise")) < 0.5 * planted, gaps
    ds.close()


def test_same_seed_same_data_other_seed_other_data(tmp_path, demo_dir):
    write_demo_data(tmp_path / "again", seed=42)
    write_demo_data(tmp_path / "other", seed=7)
    a = xr.open_zarr(demo_dir / "greece_fire_daily.zarr")["active_fire"].values
    b = xr.open_zarr(tmp_path / "again" / "greece_fire_daily.zarr")["active_fire"].values
    c = xr.open_zarr(tmp_path / "other" / "greece_fire_daily.zarr")["active_fire"].values
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_unknown_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown demo size 'huge'"):
        write_demo_data(tmp_path, size="huge")


def test_demo_ingests_with_ground_truth_in_the_graph(store, demo_dir):
    summary = ingest_paths(store, [demo_dir], progress=False)
    assert summary.ok and len(summary.ingested) == 6, summary.render()
    cube = store.iris.cube("greece-fire-daily-zarr")
    g = store.graph(cube)
    effects = {}
    for node in g.objects(cube, CG.plantedEffect):
        driver = str(g.value(node, CG.attributedVariable)).rsplit("/", 1)[-1]
        effects[driver] = (float(g.value(node, CG.effectStrength)), int(g.value(node, CG.effectLag)))
    assert {d: (s, l) for d, s, l in FIRE_EFFECTS} == {k: v for k, v in effects.items() if v[0] != 0}
    distractor = store.iris.variable("greece-fire-daily-zarr", "distractor_noise")
    assert g.value(distractor, CG.isDistractor).toPython() is True
    leak = store.iris.variable("greece-fire-daily-zarr", "fire_count_7d")
    assert g.value(leak, PROV.wasDerivedFrom) == store.iris.variable("greece-fire-daily-zarr", "active_fire")
    insar = store.graph(store.iris.cube("insar-unrest-stack-zarr"))
    assert insar.value(store.iris.cube("insar-unrest-stack-zarr"), CG.westBound) is not None
