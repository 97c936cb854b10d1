"""Writing cubes: CF zarr stores and NetCDF files from plain arrays (demo cubes, predictions).

The writing is xarray's (``Dataset.to_zarr`` / ``to_netcdf``: its CF encoding, packing,
time units and chunking), kept behind one function so that no other module needs xarray
and the bytes written stay those xarray writes (the demo cubes' fingerprints are fixed).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Mapping

__all__ = ["write_cube"]


def write_cube(path: str | Path, data_vars: Mapping[str, tuple], *,
               coords: Mapping[str, tuple] | None = None, attrs: Mapping[str, Any] | None = None,
               encoding: Mapping[str, dict] | None = None, engine: str = "zarr",
               zarr_format: int = 3, consolidated: bool = True) -> Path:
    """Write one cube.

    Args:
        path: the store (a folder, replaced when it exists) or the NetCDF file.
        data_vars: ``name -> (dims, values, attrs)``, in the order to write them.
        coords: ``name -> (dims, values, attrs)`` of the coordinates.
        attrs: global attributes.
        encoding: per-variable CF encoding, as xarray takes it (``dtype``, ``scale_factor``,
            ``add_offset``, ``_FillValue``, ``units`` of times, ``chunks``, ``zlib`` ...).
        engine: ``"zarr"`` or ``"netcdf"`` (NetCDF-4).
        zarr_format / consolidated: zarr only.

    Returns:
        ``path``.

    Raises:
        ValueError: for an unknown engine.
    """
    import xarray as xr

    if engine not in ("zarr", "netcdf"):
        raise ValueError(f"unknown cube engine {engine!r}: write 'zarr' or 'netcdf'")
    ds = xr.Dataset(dict(data_vars), coords=dict(coords or {}), attrs=dict(attrs or {}))
    with warnings.catch_warnings():
        # zarr 3 warns that consolidated metadata is not in the v3 spec; xarray and zarr
        # read it first, and the warning is not the user's to act on.
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        if engine == "netcdf":
            ds.to_netcdf(path, encoding=dict(encoding or {}), engine="netcdf4")
        else:
            ds.to_zarr(path, mode="w", zarr_format=zarr_format, consolidated=consolidated,
                       encoding=dict(encoding or {}))
    return Path(path)
