"""Reading a job's inputs through the cube layer: the CRS check in the catalogue's normal
form, and regridded inputs equal to xarray's reindexing of the same cubes."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from cubegraph.ingest.cubes import read_metadata
from cubegraph.ml._inputs import CubeOpener, plan_inputs
from cubegraph.ml.dataset import InputRef, build_dataset
from cubegraph.ml.errors import GridMismatch

from .conftest import make_fire_cube

UTM33_WKT = ('PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",'
             '6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
             'PROJECTION["Transverse_Mercator"],UNIT["metre",1],AUTHORITY["EPSG","32633"]]')


def _with_mapping(ds: xr.Dataset, **mapping) -> xr.Dataset:
    """``ds`` without its global ``crs``, with a CF grid mapping variable instead."""
    ds = ds.copy()
    ds.attrs.pop("crs", None)
    ds["crs"] = xr.DataArray(np.int32(0), attrs=mapping)
    for name in ds.data_vars:
        if name != "crs":
            ds[name].attrs["grid_mapping"] = "crs"
    return ds


def test_crs_is_compared_in_the_catalogues_normal_form(tmp_path):
    make_fire_cube().to_zarr(tmp_path / "target.zarr")  # global attribute crs = "EPSG:4326"
    # A CF latitude_longitude grid (CRS84) is the target's WGS 84: aligned, not refused.
    _with_mapping(make_fire_cube()[["t2m"]], grid_mapping_name="latitude_longitude") \
        .to_zarr(tmp_path / "cf.zarr")
    # An explicit EPSG code outranks a WKT that disagrees, here as in the catalogue.
    _with_mapping(make_fire_cube()[["rh"]], grid_mapping_name="latitude_longitude",
                  epsg_code="EPSG:4326", crs_wkt=UTM33_WKT).to_zarr(tmp_path / "both.zarr")
    _with_mapping(make_fire_cube()[["wind"]], crs_wkt=UTM33_WKT).to_zarr(tmp_path / "utm.zarr")
    target = InputRef(tmp_path / "target.zarr", "active_fire")
    d = build_dataset(target, [InputRef(tmp_path / "cf.zarr", "t2m"),
                               InputRef(tmp_path / "both.zarr", "rh")])
    assert set(d.variables) == {"t2m", "rh"}
    assert read_metadata(tmp_path / "both.zarr").crs.endswith("/EPSG/0/4326")
    with pytest.raises(GridMismatch, match=r"'wind'.*CRS 'EPSG:32633'.*'EPSG:4326'.*reproject"):
        build_dataset(target, [InputRef(tmp_path / "utm.zarr", "wind")])


def test_regridded_inputs_equal_xarrays_reindexing(tmp_path):
    fine = make_fire_cube(side=8, lat0=38.0)
    fine.to_zarr(tmp_path / "fine.zarr")
    # A coarser, larger, descending-latitude cube every third day: nearest in space, pad in time.
    coarse = make_fire_cube(side=9, step=0.02, lat0=37.96, seed=5)[["t2m"]]
    coarse = coarse.isel(time=slice(None, None, 3), lat=slice(None, None, -1))
    coarse.to_netcdf(tmp_path / "coarse.nc")
    refs = [InputRef(tmp_path / "coarse.nc", "t2m")]
    with CubeOpener() as opener:
        plan = plan_inputs(InputRef(tmp_path / "fine.zarr", "active_fire"), refs, ["t2m"],
                           "__target__", None, opener)
    read = plan.reads["t2m"]
    assert not read.direct
    # Only the box of the cells used is read: latitude 37.96 + 0.02 * (2..4 or so), not all 9.
    assert read.read.selection[1].stop - read.read.selection[1].start < 9
    d = build_dataset(InputRef(tmp_path / "fine.zarr", "active_fire"), refs)
    src = xr.open_dataset(tmp_path / "coarse.nc")["t2m"]
    step = 0.02 * 1.0001
    want = (src.sortby("lat").reindex(lat=fine.lat.values, method="nearest", tolerance=step)
            .sortby("lon").reindex(lon=fine.lon.values, method="nearest", tolerance=step)
            .sortby("time").reindex(time=fine.time.values, method="pad"))
    want = want.transpose("time", "lat", "lon").values.astype(np.float32)
    assert np.array_equal(d._raw["t2m"], want.reshape(len(d.time), -1), equal_nan=True)
    assert {(a.variable, a.method) for a in d.alignments} == {("t2m", "nearest"), ("t2m", "pad")}
