"""Dataset building: alignment, features, split by time, standardisation, NaN handling."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from cubegraph.ml.dataset import FeatureConfig, InputRef, SplitConfig, build_dataset
from cubegraph.ml.errors import (
    AllNaNVariable,
    EmptySelectionError,
    GridMismatch,
    InputReadError,
    MLError,
    SingleClassTarget,
)

from .conftest import fire_inputs, make_fire_cube


@pytest.fixture
def fire(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    return build_dataset(target, drivers)


def test_features_are_recorded_as_derived_variables(fire):
    ops = {d.name: (d.source, d.operation, d.parameters) for d in fire.derived}
    assert ops["t2m_lag1"] == ("t2m", "lag", {"steps": 1})
    assert ops["t2m_mean7"] == ("t2m", "rolling_mean", {"window": 7})
    assert ops["t2m_anom"][1] == "anomaly"
    assert ops["elevation"] == ("elevation", "broadcast", {"over": "time"})
    assert fire.feature_names == [d.name for d in fire.derived]
    assert "elevation" in fire.static


def test_feature_values_match_the_cube(fire, fire_zarr):
    ds = make_fire_cube()
    s = fire.splits["train"]
    i = 123
    t, p = s.t_idx[i], s.p_idx[i]
    y, x = np.unravel_index(p, fire.space_shape)
    t2m = ds["t2m"].values[:, y, x]
    raw = lambda name: fire._planar("train")[fire.feature_names.index(name), i] \
        * fire._feat_std[fire.feature_names.index(name)] + fire._feat_mean[fire.feature_names.index(name)]
    assert raw("t2m") == pytest.approx(t2m[t], rel=1e-5)
    assert raw("t2m_lag2") == pytest.approx(t2m[t - 2], rel=1e-5)
    assert raw("t2m_mean7") == pytest.approx(t2m[t - 6:t + 1].mean(), rel=1e-5)
    assert raw("elevation") == pytest.approx(ds["elevation"].values[y, x], rel=1e-5)
    # The target is the next day's fire (horizon 1).
    assert s.y[i] == ds["active_fire"].values[t + 1, y, x]


def test_split_by_time_with_a_gap(fire):
    tr, va, te = (fire.splits[n] for n in ("train", "validation", "test"))
    assert fire.gap == fire.lookback + fire.horizon
    # Every day a later split touches (features from t - lookback) is after the last
    # day an earlier split touches (target at t + horizon).
    assert va.t_idx.min() - fire.lookback > tr.t_idx.max() + fire.horizon
    assert te.t_idx.min() - fire.lookback > va.t_idx.max() + fire.horizon
    assert (tr.start[:4], va.start[:4], te.start[:4]) == ("2020", "2021", "2022")


def test_standardisation_is_fitted_on_train_only(fire):
    x = fire.pixel_features("train").numpy()
    assert np.allclose(x.mean(axis=0), 0, atol=1e-3)
    assert np.allclose(x.std(axis=0), 1, atol=1e-2)
    # Validation uses the train statistics, so its mean is not forced to zero.
    assert fire.scaler["features"]["names"] == fire.feature_names


def test_explicit_split_periods_that_overlap_are_refused(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    periods = {"train": ("2020-01-01", "2021-06-30"), "validation": ("2021-06-01", "2021-12-31"),
               "test": ("2022-01-01", "2022-12-31")}
    with pytest.raises(MLError, match="overlap"):
        build_dataset(target, drivers, split=SplitConfig(periods=periods))


def test_fraction_split_when_less_than_three_years(tmp_path):
    path = tmp_path / "short.zarr"
    make_fire_cube(end="2020-12-31").to_zarr(path)
    target, drivers = fire_inputs(path)
    d = build_dataset(target, drivers)
    sizes = [len(np.unique(d.splits[n].t_idx)) for n in ("train", "validation", "test")]
    assert sizes[0] > sizes[1] > 0 and sizes[2] > 0


def test_nan_targets_are_dropped(tmp_path):
    ds = make_fire_cube()
    fire = ds["active_fire"].values.astype("float32")
    fire[100:110, 0, 0] = np.nan
    ds["active_fire"] = (("time", "lat", "lon"), fire)
    path = tmp_path / "gappy.zarr"
    ds.to_zarr(path)
    target, drivers = fire_inputs(path)
    d = build_dataset(target, drivers)
    s = d.splits["train"]
    assert np.isfinite(s.y).all()
    assert not ((s.p_idx == 0) & (s.t_idx + 1 >= 100) & (s.t_idx + 1 < 110)).any()


def test_loaders_give_whole_batches(fire):
    x, y = next(iter(fire.loader("train", "pixel", batch_size=64, shuffle=True, seed=1)))
    assert x.shape == (64, len(fire.feature_names)) and y.shape == (64,)
    xw, yw = next(iter(fire.loader("validation", "window", batch_size=32)))
    assert xw.shape == (32, fire.window_days, len(fire.variables))
    # The last day of a window is the sample's own day: the identity feature.
    j = fire.feature_names.index("t2m")
    c = fire.variables.index("t2m")
    assert np.allclose(xw[:, -1, c].numpy(), fire.pixel_features("validation")[:32, j].numpy(), atol=1e-5)
    n = sum(len(b[1]) for b in fire.loader("test", "pixel", batch_size=1000))
    assert n == len(fire.splits["test"])


def test_netcdf_inputs_and_coarser_grids_are_aligned(tmp_path):
    fine = make_fire_cube(side=6)
    fine.to_zarr(tmp_path / "fine.zarr")
    coarse = make_fire_cube(side=3, step=0.02, seed=5)[["t2m"]].rename(t2m="t2m_coarse")
    coarse = coarse.isel(time=slice(None, None, 2))  # every other day
    coarse.to_netcdf(tmp_path / "coarse.nc")
    d = build_dataset(InputRef(tmp_path / "fine.zarr", "active_fire"),
                      [InputRef(tmp_path / "fine.zarr", "rh"),
                       InputRef(tmp_path / "coarse.nc", "t2m_coarse")])
    methods = {(a.variable, a.method) for a in d.alignments}
    assert ("t2m_coarse", "nearest") in methods and ("t2m_coarse", "pad") in methods
    # Day 3 (no coarse value) carries day 2's value, never day 4's.
    raw = d._raw["t2m_coarse"].reshape(len(d.time), 6, 6)
    assert raw[3, 0, 0] == raw[2, 0, 0]


def test_no_overlap_is_a_grid_mismatch(tmp_path):
    make_fire_cube().to_zarr(tmp_path / "a.zarr")
    make_fire_cube(lat0=50.0)[["t2m"]].rename(t2m="far").to_zarr(tmp_path / "b.zarr")
    with pytest.raises(GridMismatch, match=r"'far'.*does not overlap.*'lat'"):
        build_dataset(InputRef(tmp_path / "a.zarr", "active_fire"), [InputRef(tmp_path / "b.zarr", "far")])


def test_different_crs_is_a_grid_mismatch(tmp_path):
    make_fire_cube().to_zarr(tmp_path / "a.zarr")
    other = make_fire_cube()[["t2m"]]
    other.attrs["crs"] = "EPSG:2100"  # Greek Grid
    other.to_zarr(tmp_path / "b.zarr")
    with pytest.raises(GridMismatch, match=r"EPSG:2100.*reproject"):
        build_dataset(InputRef(tmp_path / "a.zarr", "active_fire"), [InputRef(tmp_path / "b.zarr", "t2m")])


def test_all_nan_variable_is_named(tmp_path):
    ds = make_fire_cube()
    ds["empty"] = ds["t2m"] * np.nan
    ds.to_zarr(tmp_path / "c.zarr")
    target, drivers = fire_inputs(tmp_path / "c.zarr", names=("t2m", "empty"))
    with pytest.raises(AllNaNVariable, match=r"'empty'.*no finite value.*drop it"):
        build_dataset(target, drivers)


def test_empty_input_list(fire_zarr):
    with pytest.raises(EmptySelectionError, match="no driver inputs for target 'active_fire'"):
        build_dataset(InputRef(fire_zarr, "active_fire"), [])


def test_single_class_target_in_train(tmp_path):
    ds = make_fire_cube()
    fire = ds["active_fire"].values.copy()
    fire[: 366 + 10] = 0  # no fire in 2020 (the train year)
    ds["active_fire"] = (("time", "lat", "lon"), fire)
    ds.to_zarr(tmp_path / "d.zarr")
    target, drivers = fire_inputs(tmp_path / "d.zarr")
    with pytest.raises(SingleClassTarget, match=r"'active_fire'.*only class 0.*training period"):
        build_dataset(target, drivers)


def test_missing_variable_and_path(fire_zarr, tmp_path):
    with pytest.raises(InputReadError, match="no variable 'nope'"):
        build_dataset(InputRef(fire_zarr, "active_fire"), [InputRef(fire_zarr, "nope")])
    with pytest.raises(InputReadError, match="does not exist"):
        build_dataset(InputRef(tmp_path / "x.zarr", "active_fire"), [InputRef(fire_zarr, "t2m")])


def test_non_binary_target_for_classification(fire_zarr):
    with pytest.raises(MLError, match="not binary"):
        build_dataset(InputRef(fire_zarr, "t2m"), [InputRef(fire_zarr, "rh")])


def test_too_short_period(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    from cubegraph.ml.errors import InsufficientData

    with pytest.raises(InsufficientData, match="cannot hold"):
        build_dataset(target, drivers, period=("2020-01-01", "2020-01-20"))


def test_subsample_is_seeded(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    a = build_dataset(target, drivers, max_samples=500, seed=3)
    b = build_dataset(target, drivers, max_samples=500, seed=3)
    assert len(a.splits["train"]) == 500
    assert np.array_equal(a.splits["train"].p_idx, b.splits["train"].p_idx)


# --- input pipeline internals (direct zarr reads, fused features, batch loader) ---------

def _packed_cube(tmp_path):
    """The fire cube with t2m/rh stored as CF-packed int16 with fill values, as ingest writes."""
    ds = make_fire_cube()
    t2m = ds["t2m"].values.copy()
    t2m[50:53, 1, 2] = np.nan  # missing values become _FillValue on disk
    ds["t2m"] = (("time", "lat", "lon"), t2m)
    enc = {v: {"dtype": "int16", "scale_factor": s, "add_offset": o, "_FillValue": -32768}
           for v, s, o in (("t2m", 0.0011666666666666668, 295.0), ("rh", 0.0016666, 50.0))}
    path = tmp_path / "packed.zarr"
    ds.to_zarr(path, encoding=enc)
    return path


def test_direct_zarr_read_decodes_exactly_as_xarray(tmp_path):
    from cubegraph.ingest.cubes import read_many as read_concurrently
    from cubegraph.ml._inputs import CubeOpener, direct_read

    path = _packed_cube(tmp_path)
    ref = xr.open_zarr(path)
    with CubeOpener() as op:
        for name in ("t2m", "rh", "active_fire", "elevation"):
            plan = direct_read(op, path, name, tuple(ref[name].dims))
            assert plan is not None, name
            got, want = plan.read(), ref[name].values.astype(np.float32)
            assert got.dtype == np.float32
            assert np.array_equal(got, want, equal_nan=True), name
        # A period slices the time axis; a transpose reorders it.
        plan = direct_read(op, path, "t2m", ("lon", "lat", "time"), slice(10, 20))
        assert np.array_equal(plan.read(), ref["t2m"].values[10:20].transpose(2, 1, 0)
                              .astype(np.float32), equal_nan=True)
        # All arrays at once on zarr's event loop: the same values, the same finite flags.
        plans = {n: direct_read(op, path, n, tuple(ref[n].dims)) for n in ("t2m", "rh", "elevation")}
        together = read_concurrently(plans)
        assert plans["t2m"].finite is False and plans["rh"].finite is True
        for n, plan in plans.items():
            assert np.array_equal(together[n], plan.read(), equal_nan=True), n
    # The dataset built from direct reads holds the same values as xarray's.
    target, drivers = fire_inputs(path)
    d = build_dataset(target, drivers)
    want = ref["t2m"].values.astype(np.float32)
    assert np.array_equal(d._raw["t2m"], want.reshape(len(d.time), -1), equal_nan=True)
    # With a period the target is read directly, sliced like .sel (the drivers are padded
    # onto the shorter time axis by xarray).
    d = build_dataset(target, drivers, period=("2020-02-01", "2022-12-31"))
    sel = dict(time=slice("2020-02-01", "2022-12-31"))
    want = ref["active_fire"].sel(sel).values.astype(np.float32)
    assert np.array_equal(d.raw_target(), want.reshape(len(d.time), -1))
    want = ref["t2m"].sel(sel).values.astype(np.float32)
    assert np.array_equal(d._raw["t2m"], want.reshape(len(d.time), -1), equal_nan=True)


def test_missing_driver_values_become_the_train_mean(tmp_path):
    target, drivers = fire_inputs(_packed_cube(tmp_path))
    d = build_dataset(target, drivers)
    assert not d._finite["t2m"] and d._finite["rh"]
    for split in ("train", "validation", "test"):
        assert np.isfinite(d.pixel_features(split).numpy()).all()
    s = d.splits["train"]
    p = np.ravel_multi_index((1, 2), d.space_shape)
    i = np.flatnonzero((s.p_idx == p) & (s.t_idx == 51))[0]
    x = d.pixel_features("train")[i].numpy()
    assert x[d.feature_names.index("t2m")] == 0.0  # NaN -> 0 = the train mean
    # The rolling mean averages the finite days of its window.
    raw = d._raw["t2m"][:, p]
    mean7 = x[d.feature_names.index("t2m_mean7")] * d._feat_std[d.feature_names.index("t2m_mean7")] \
        + d._feat_mean[d.feature_names.index("t2m_mean7")]
    assert mean7 == pytest.approx(np.nanmean(raw[45:52]), rel=1e-4)


def test_subsampled_features_match_the_cube(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    d = build_dataset(target, drivers, max_samples=700, seed=2)
    ds = make_fire_cube()
    for split in ("train", "test"):
        s = d.splits[split]
        x = d.pixel_features(split).numpy() * d._feat_std + d._feat_mean
        for i in (0, 333, 699):
            t, p = s.t_idx[i], s.p_idx[i]
            y, xx = np.unravel_index(p, d.space_shape)
            t2m = ds["t2m"].values[:, y, xx]
            month = d.time[t].astype("datetime64[M]").astype(int) % 12
            col = lambda name: x[i, d.feature_names.index(name)]
            assert col("t2m_lag1") == pytest.approx(t2m[t - 1], rel=1e-5)
            assert col("t2m_mean7") == pytest.approx(t2m[t - 6:t + 1].mean(), rel=1e-5)
            assert col("t2m_anom") == pytest.approx(t2m[t] - d._clim["t2m"][month, p], abs=1e-3)


def test_later_splits_are_standardised_with_train_statistics(fire):
    j = fire.feature_names.index("rh_lag2")
    s = fire.splits["validation"]
    raw = fire._raw["rh"][s.t_idx - 2, s.p_idx]
    want = (raw - fire._feat_mean[j]) * np.float32(1.0 / fire._feat_std[j])
    assert np.allclose(fire._planar("validation")[j], want, atol=1e-5)
    assert np.array_equal(fire.pixel_features("validation").numpy()[:, j], fire._planar("validation")[j])


def test_shuffled_batches_follow_the_random_sampler_order(fire):
    import torch

    ds_y = torch.from_numpy(fire.splits["train"].y)
    rows = fire.pixel_features("train")

    def random_sampler(seed):
        return torch.utils.data.BatchSampler(torch.utils.data.RandomSampler(
            range(len(ds_y)), generator=torch.Generator().manual_seed(seed)), 500, drop_last=False)

    order = list(random_sampler(7))
    loader = fire.loader("train", "pixel", batch_size=500, shuffle=True, seed=7)
    assert len(loader) == len(order)
    batches = list(loader)
    assert len(batches) == len(order)
    for (x, y), idx in zip(batches, order):
        assert torch.equal(x, rows[idx]) and torch.equal(y, ds_y[idx])
    # A second pass draws a new order, the same for every loader of that seed.
    again = fire.loader("train", "pixel", batch_size=500, shuffle=True, seed=7)
    list(again)
    second = [y for _, y in loader]
    assert not torch.equal(second[0], batches[0][1])
    assert all(torch.equal(a, b) for a, (_, b) in zip(second, again))
    xw, yw = next(iter(fire.loader("train", "window", batch_size=64, shuffle=True, seed=7)))
    assert xw.shape == (64, fire.window_days, len(fire.variables))
    assert torch.equal(yw, ds_y[next(iter(random_sampler(7)))[:64]])


def test_jobs_on_the_targets_own_grid_are_planned_from_zarr_alone(tmp_path, fire_zarr):
    import torch

    from cubegraph.ml._inputs import plan_zarr_reads

    target, drivers = fire_inputs(fire_zarr)
    other = tmp_path / "other.zarr"  # another cube on the same grid needs no regridding
    make_fire_cube(seed=3)[["wind"]].rename(wind="gust").to_zarr(other)
    drivers = [*drivers, InputRef(other, "gust")]
    keys = [d.variable for d in drivers]
    plan = plan_zarr_reads(target, drivers, keys, "__target__")
    assert plan is not None and list(plan.reads) == ["__target__", *keys]
    assert [(r.variable, r.method) for r in plan.records] == [("elevation", "broadcast-time")]
    # A job period takes the xarray path; over the whole cube it must give the same dataset.
    fast = build_dataset(target, drivers)
    slow = build_dataset(target, drivers, period=("2000-01-01", "2100-12-31"))
    assert fast.describe() == slow.describe()
    assert fast.time.dtype == slow.time.dtype and np.array_equal(fast.time, slow.time)
    assert all(np.array_equal(fast.space[d], slow.space[d]) for d in slow.space_dims)
    assert fast._finite == slow._finite
    assert all(np.array_equal(fast._raw[k], slow._raw[k], equal_nan=True) for k in slow._raw)
    assert torch.equal(fast.pixel_features("train"), slow.pixel_features("train"))


def test_inputs_that_need_xarray_are_not_planned_from_zarr(tmp_path, fire_zarr):
    from cubegraph.ml._inputs import plan_zarr_reads

    def plan(target, *drivers):
        return plan_zarr_reads(target, drivers, [d.variable for d in drivers], "__target__")

    target = InputRef(fire_zarr, "active_fire")
    make_fire_cube().to_netcdf(tmp_path / "c.nc")
    make_fire_cube().to_zarr(tmp_path / "v2.zarr", zarr_format=2)
    make_fire_cube(side=3, step=0.02)[["t2m"]].to_zarr(tmp_path / "coarse.zarr")
    make_fire_cube(start="2020-01-02")[["t2m"]].to_zarr(tmp_path / "shifted.zarr")
    aux = make_fire_cube()
    aux.coords["cell_area"] = (("lat", "lon"), np.ones((5, 5)))  # a coordinate, not a variable
    aux.to_zarr(tmp_path / "aux.zarr")
    assert plan(target, InputRef(fire_zarr, "t2m")) is not None
    assert plan(InputRef(tmp_path / "c.nc", "active_fire"), InputRef(tmp_path / "c.nc", "t2m")) is None
    assert plan(InputRef(tmp_path / "v2.zarr", "active_fire"), InputRef(tmp_path / "v2.zarr", "t2m")) is None
    assert plan(target, InputRef(tmp_path / "coarse.zarr", "t2m")) is None
    assert plan(target, InputRef(tmp_path / "shifted.zarr", "t2m")) is None
    assert plan(target, InputRef(fire_zarr, "no_such_variable")) is None  # xarray names it
    aux_target = InputRef(tmp_path / "aux.zarr", "active_fire")
    assert plan(aux_target, InputRef(tmp_path / "aux.zarr", "t2m")) is not None
    assert plan(aux_target, InputRef(tmp_path / "aux.zarr", "cell_area")) is None
    assert plan(target, InputRef(tmp_path / "missing.zarr", "t2m")) is None


def test_a_360_day_target_is_selected_and_split_in_its_own_calendar(tmp_path):
    ds = make_fire_cube()
    ds = ds.assign_coords(time=xr.date_range("2020-01-01", periods=ds.sizes["time"], freq="D",
                                             calendar="360_day", use_cftime=True))
    path = tmp_path / "c360.zarr"
    ds.to_zarr(path)
    target, drivers = fire_inputs(path)
    period = ("2020-03-01", "2021-02-30")  # 30 February is a day of this calendar
    d = build_dataset(target, drivers, period=period)
    expected = ds.sel(time=slice(*period)).time.values
    assert len(d.time) == len(expected) == 360 and all(a == b for a, b in zip(d.time, expected))
    assert all(len(d.splits[n]) for n in ("train", "validation", "test"))
    explicit = SplitConfig(periods={"train": ("2020-03-01", "2020-10-30"),
                                    "validation": ("2020-11-01", "2020-12-30"),
                                    "test": ("2021-01-01", "2021-02-30")})
    e = build_dataset(target, drivers, period=period, split=explicit)
    last = d.time[np.unique(e.splits["test"].t_idx + e.horizon)[-1]]
    assert (last.month, last.day) == (2, 30)
