"""Tiny synthetic cubes with a planted truth, for the ml tests (all on tmp_path)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
import xarray as xr

from cubegraph.ml.dataset import InputRef

#: Planted next-day effects of the synthetic fire cube (on z-scores).
FIRE_TRUTH = {"t2m": 1.6, "rh": -1.2, "wind": 0.6}


@pytest.fixture(autouse=True)
def _one_thread():
    # Four engineers share two cores: keep torch to one thread in every ml test.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        # zarr 3 warns on every consolidated write that it is not in the v3 spec.
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        yield
    torch.set_num_threads(before)


def make_fire_cube(side: int = 5, start: str = "2020-01-01", end: str = "2022-12-31",
                   seed: int = 0, lat0: float = 38.0, step: float = 0.01) -> xr.Dataset:
    """Daily cube: t2m, rh, wind, fwi, distractor, static elevation, target fire.

    fire[t] ~ Bernoulli(sigmoid(b0 + 1.6 z(t2m[t-1]) - 1.2 z(rh[t-1]) + 0.6 z(wind[t-1]))).
    """
    rng = np.random.default_rng(seed)
    time = pd.date_range(start, end, freq="D")
    T = len(time)
    season = np.cos(2 * np.pi * (time.day_of_year.to_numpy() - 200) / 365.25)[:, None, None]

    def field():
        out = np.empty((T, side, side))
        out[0] = rng.standard_normal((side, side))
        for t in range(1, T):
            out[t] = 0.6 * out[t - 1] + 0.8 * rng.standard_normal((side, side))
        return out

    z = {k: field() for k in ("t2m", "rh", "wind", "noise", "fwi_noise")}
    t2m = 293 + 3 * season + 2 * z["t2m"]
    rh = 60 - 5 * season + 10 * z["rh"]
    wind = 4 + 1.5 * z["wind"]
    zs = {k: (v - v.mean()) / v.std() for k, v in (("t2m", t2m), ("rh", rh), ("wind", wind))}
    logit = -2.6 + sum(FIRE_TRUTH[k] * np.concatenate([zs[k][:1], zs[k][:-1]]) for k in zs)
    fire = (rng.random(logit.shape) < 1 / (1 + np.exp(-logit))).astype("int8")
    # A noisy danger index that knows part of the truth (as FWI does).
    fwi = np.exp(2.3 + 0.3 * (zs["t2m"] - zs["rh"]) + 0.4 * z["fwi_noise"])
    dims = ("time", "lat", "lon")
    ds = xr.Dataset(
        {
            "t2m": (dims, t2m.astype("float32")),
            "rh": (dims, rh.astype("float32")),
            "wind": (dims, wind.astype("float32")),
            "fwi": (dims, fwi.astype("float32")),
            "distractor": (dims, z["noise"].astype("float32")),
            "elevation": (("lat", "lon"), rng.normal(400, 100, (side, side)).astype("float32")),
            "active_fire": (dims, fire),
        },
        coords={"time": time, "lat": lat0 + step * np.arange(side),
                "lon": 21.0 + step * np.arange(side)},
        attrs={"crs": "EPSG:4326"},
    )
    return ds


def make_drought_cube(side: int = 4, seed: int = 1) -> xr.Dataset:
    """8-daily NDVI driven by its own past, soil moisture and temperature."""
    rng = np.random.default_rng(seed)
    time = pd.date_range("2017-01-01", "2021-12-31", freq="8D")
    T = len(time)
    sm = rng.standard_normal((T, side, side))
    t2m = rng.standard_normal((T, side, side))
    zn = np.zeros((T, side, side))
    for t in range(1, T):
        zn[t] = 0.6 * zn[t - 1] + 0.5 * sm[t - 1] - 0.3 * t2m[t - 1] + 0.4 * rng.standard_normal((side, side))
    dims = ("time", "lat", "lon")
    return xr.Dataset(
        {"ndvi": (dims, (0.45 + 0.1 * zn).astype("float32")),
         "sm": (dims, (120 + 20 * sm).astype("float32")),
         "t2m": (dims, (298 + 2 * t2m).astype("float32")),
         "distractor": (dims, rng.standard_normal((T, side, side)).astype("float32"))},
        coords={"time": time, "lat": 5.0 + 0.02 * np.arange(side), "lon": 30 + 0.02 * np.arange(side)},
    )


@pytest.fixture
def fire_zarr(tmp_path):
    path = tmp_path / "fire.zarr"
    make_fire_cube().to_zarr(path, mode="w")
    return path


@pytest.fixture
def drought_zarr(tmp_path):
    path = tmp_path / "drought.zarr"
    make_drought_cube().to_zarr(path, mode="w")
    return path


def fire_inputs(path, names=("t2m", "rh", "wind", "fwi", "distractor", "elevation")):
    return InputRef(path, "active_fire"), [InputRef(path, n) for n in names]
