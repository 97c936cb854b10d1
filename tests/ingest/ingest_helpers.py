"""Small cube writers for the ingest tests (zarr v3 metadata written by hand, NetCDF via netCDF4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def write_zarr3(path: Path, arrays: dict, attrs: dict | None = None) -> Path:
    """A zarr v3 store with metadata only: ``arrays`` = name -> (dims, shape, dtype, attrs)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "zarr.json").write_text(json.dumps(
        {"zarr_format": 3, "node_type": "group", "attributes": attrs or {}}))
    for name, (dims, shape, dtype, a) in arrays.items():
        (path / name).mkdir(exist_ok=True)
        (path / name / "zarr.json").write_text(json.dumps({
            "zarr_format": 3, "node_type": "array", "shape": list(shape), "data_type": dtype,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [max(1, min(s, 1000)) for s in shape]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "attributes": a, "dimension_names": list(dims),
        }))
    return path


def write_nc(path: Path, *, time_values=(0.0, 1.0, 2.0), time_units="days since 2020-01-01",
             var_attrs=None, global_attrs=None, with_crs=True, latlon=True) -> Path:
    """A tiny CF NetCDF file: t(time, lat, lon) with configurable attributes."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as ds:
        ds.setncatts(global_attrs if global_attrs is not None else
                     {"Conventions": "CF-1.8", "title": "tiny test cube"})
        ds.createDimension("time", len(time_values))
        t = ds.createVariable("time", "f8", ("time",))
        t.setncatts({"standard_name": "time", "units": time_units})
        t[:] = np.asarray(time_values)
        dims = ("time",)
        if latlon:
            ds.createDimension("lat", 2)
            ds.createDimension("lon", 3)
            la = ds.createVariable("lat", "f8", ("lat",))
            la.setncatts({"standard_name": "latitude", "units": "degrees_north"})
            la[:] = [10.0, 11.0]
            lo = ds.createVariable("lon", "f8", ("lon",))
            lo.setncatts({"standard_name": "longitude", "units": "degrees_east"})
            lo[:] = [20.0, 21.0, 22.0]
            dims = ("time", "lat", "lon")
        v = ds.createVariable("t", "f4", dims)
        attrs = {"standard_name": "air_temperature", "units": "K", "long_name": "temperature"}
        if with_crs:
            attrs["grid_mapping"] = "crs"
            crs = ds.createVariable("crs", "i4")
            crs.setncatts({"grid_mapping_name": "latitude_longitude"})
        attrs.update(var_attrs or {})
        for key, value in list(attrs.items()):
            if value is None:
                del attrs[key]
        v.setncatts(attrs)
        v[:] = np.full(v.shape, 280.0, dtype="f4")
    return path
