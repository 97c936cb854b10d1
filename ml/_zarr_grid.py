"""Planning the reads of a job from zarr metadata alone, when no input needs regridding.

Private to :mod:`cubegraph.ml.dataset`. Opening a cube with xarray decodes every variable's
metadata and builds an index per coordinate, which costs more than reading a small cube's
arrays. When every input is a variable of a local zarr v3 cube on the target's own grid
(the common case: drivers of the target's own cube), nothing needs regridding, so the grid
and the read plans come from the arrays' metadata directly: dimension names, coordinates,
CF packing attributes. Anything else -- NetCDF, zarr v2, another grid, a job period, an
encoding other than plain CF masking and linear packing, anything missing -- returns
``None`` and the caller takes the xarray path, which also words every error.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from cubegraph.ml._grid import (
    _DIM_ALIASES,
    _TIME_NAMES,
    AlignmentRecord,
    DirectRead,
    TargetGrid,
    declared_crs,
    same_axis,
    transpose_axes,
)

__all__ = ["ZarrPlan", "plan_zarr_reads"]

#: Calendars whose dates numpy's datetime64 holds exactly as xarray decodes them.
_CALENDARS = (None, "standard", "gregorian", "proleptic_gregorian")
#: Attributes whose presence asks for decoding this plan does not do (xarray does).
_UNHANDLED = ("_Unsigned", "calendar", "dtype", "compress")
#: Units xarray decodes into timedeltas (or, with "since", dates).
_TIME_UNITS = {"days", "day", "d", "hours", "hour", "h", "minutes", "minute", "min",
               "seconds", "second", "s", "milliseconds", "ms", "microseconds", "us",
               "nanoseconds", "ns"}


@dataclass
class ZarrPlan:
    """Everything the dataset needs before reading: the grid, one read per input."""

    grid: TargetGrid
    reads: dict[str, DirectRead]
    records: list[AlignmentRecord]


class _Cube:
    """One zarr v3 store's arrays and attributes (consolidated metadata when present)."""

    def __init__(self, path: str | Path):
        import zarr

        self.path = str(path)
        group = zarr.open_group(self.path, mode="r")
        if group.metadata.zarr_format != 3:
            raise _Unplannable("zarr v2: xarray reads its fill values")
        self.attrs = dict(group.attrs)
        self.arrays = dict(group.arrays())
        self._coords: dict[str, np.ndarray] = {}
        # Coordinates are not data variables for xarray (it refuses them as inputs).
        listed = [self.attrs.get("coordinates"),
                  *(a.attrs.get("coordinates") for a in self.arrays.values())]
        self.coord_names = {n for v in listed if isinstance(v, str) for n in v.split()}
        for a in self.arrays.values():
            self.coord_names.update(a.metadata.dimension_names or ())

    def dims(self, name: str) -> tuple[str, ...]:
        """The array's dimension names, latitude/longitude spelt lat/lon."""
        arr = self._array(name)
        dims = arr.metadata.dimension_names
        if not dims or None in dims or len(dims) != arr.ndim:
            raise _Unplannable(f"{name}: no dimension names")
        return tuple(_DIM_ALIASES.get(d, d) for d in dims)

    def coord(self, dim: str) -> np.ndarray:
        """The coordinate values along ``dim`` (times decoded as xarray does)."""
        if dim not in self._coords:
            names = [n for n in self.arrays if _DIM_ALIASES.get(n, n) == dim]
            if len(names) != 1 or self.dims(names[0]) != (dim,):
                raise _Unplannable(f"no single coordinate array for {dim}")
            arr = self.arrays[names[0]]
            attrs = dict(arr.attrs)
            if arr.dtype.kind not in "fiu" or "scale_factor" in attrs or "add_offset" in attrs:
                raise _Unplannable(f"{dim}: packed coordinate")
            fill = _fill_value(attrs.get("_FillValue"), arr.dtype)
            if fill is not None and not (isinstance(fill, float) and np.isnan(fill)):
                raise _Unplannable(f"{dim}: masked coordinate")
            values = np.asarray(arr[...])
            units = str(attrs.get("units", ""))
            if " since " in units:
                if attrs.get("calendar") not in _CALENDARS or fill is not None:
                    raise _Unplannable(f"{dim}: calendar")
                from xarray.coding.times import decode_cf_datetime

                values = decode_cf_datetime(values, units, attrs.get("calendar"))
            self._coords[dim] = values
        return self._coords[dim]

    def crs(self, name: str) -> str | None:
        gm = self._array(name).attrs.get("grid_mapping")
        gm_attrs = dict(self.arrays[gm].attrs) if gm in self.arrays else None
        return declared_crs(gm_attrs, self.attrs)

    def read(self, name: str, dims: Sequence[str]) -> DirectRead:
        """A whole-array read of ``name``, transposed to ``dims``, CF-decoded."""
        arr = self._array(name)
        if name in self.coord_names:
            raise _Unplannable(f"{name}: a coordinate")
        attrs = dict(arr.attrs)
        units = str(attrs.get("units", "")).strip()
        if arr.dtype.kind not in "fiub" or any(k in attrs for k in _UNHANDLED) \
                or " since " in units or units in _TIME_UNITS:
            raise _Unplannable(f"{name}: encoding")
        fills = []
        for key in ("_FillValue", "missing_value"):
            for v in np.atleast_1d(np.asarray(attrs.get(key, []), dtype=object)):
                v = _fill_value(v, arr.dtype)
                if v is not None and not (isinstance(v, float) and np.isnan(v)):
                    fills.append(v)
        return DirectRead(arr, name, (slice(None),) * arr.ndim,
                          transpose_axes(self.dims(name), tuple(dims)),
                          _number(attrs.get("scale_factor", 1.0)),
                          _number(attrs.get("add_offset", 0.0)), tuple(fills))

    def _array(self, name: str):
        if name not in self.arrays:
            raise _Unplannable(f"no array {name}")
        return self.arrays[name]


class _Unplannable(Exception):
    """This job's inputs need the xarray path (never raised to the caller)."""


def plan_zarr_reads(target, drivers: Sequence, keys: Sequence[str],
                    target_key: str) -> ZarrPlan | None:
    """The grid and read plans of a job read straight from zarr, or ``None`` (use xarray).

    Args:
        target / drivers: the job's :class:`~cubegraph.ml.dataset.InputRef` s.
        keys: the dataset key of each driver, in order.
        target_key: the key of the target's read.
    """
    try:
        return _plan(target, drivers, keys, target_key)
    except Exception:  # _Unplannable, or unreadable metadata: the xarray path says what is wrong
        return None


def _plan(target, drivers, keys, target_key) -> ZarrPlan:
    cubes: dict[str, _Cube] = {}

    def cube_of(path) -> _Cube:
        key = str(path)  # another spelling of the same store only costs a second open
        if key not in cubes:
            p = Path(path)
            if not (p.is_dir() and (p / "zarr.json").is_file()):
                raise _Unplannable(f"{path}: not a local zarr v3 store")
            cubes[key] = _Cube(p)
        return cubes[key]

    tcube = cube_of(target.path)
    tdims = tcube.dims(target.variable)
    times = [d for d in tdims if d in _TIME_NAMES or tcube.coord(d).dtype.kind == "M"]
    if len(times) != 1 or tcube.coord(times[0]).dtype.kind != "M":
        raise _Unplannable("target: no single decoded time dimension")
    tdim = times[0]
    space_dims = tuple(d for d in tdims if d != tdim)
    grid = TargetGrid(tdim, space_dims, tcube.coord(tdim),
                      {d: tcube.coord(d) for d in space_dims}, tcube.crs(target.variable))
    if len(grid.time) == 0:
        raise _Unplannable("empty time axis")
    dynamic = (tdim, *space_dims)
    reads = {target_key: tcube.read(target.variable, dynamic)}
    records: list[AlignmentRecord] = []
    for ref, key in zip(drivers, keys):
        cube = cube_of(ref.path)
        dims = cube.dims(ref.variable)
        if sorted(dims) == sorted(dynamic):
            want = dynamic
        elif sorted(dims) == sorted(space_dims):
            want = space_dims
            records.append(AlignmentRecord.broadcast_time(ref.variable, str(ref.path),
                                                          len(grid.time)))
        else:
            raise _Unplannable(f"{ref.variable}: other dimensions")
        crs = cube.crs(ref.variable)
        if crs and grid.crs and crs != grid.crs:
            raise _Unplannable(f"{ref.variable}: other CRS")  # xarray path refuses it
        if cube is not tcube:
            for d in want:
                if not same_axis(cube.coord(d), tcube.coord(d), time=d == tdim):
                    raise _Unplannable(f"{ref.variable}: another grid along {d}")
        reads[key] = cube.read(ref.variable, want)
    return ZarrPlan(grid, reads, records)


def _number(value: Any) -> float:
    v = np.asarray(value)
    if v.size != 1 or v.dtype.kind not in "fiu":
        raise _Unplannable("non-numeric packing attribute")
    return float(v.reshape(()))


def _fill_value(value: Any, dtype: np.dtype) -> Any:
    """A CF fill value as a number; xarray writes float fills into zarr v3 as base64."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, str):
        if value in ("NaN", "nan"):
            return float("nan")
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            raise _Unplannable(f"fill value {value!r}") from None
        if len(raw) == dtype.itemsize:
            return np.frombuffer(raw, dtype=dtype.newbyteorder("<"))[0].item()
        if dtype.kind == "f" and len(raw) in (4, 8):  # a float32 array's float64 NaN fill
            return np.frombuffer(raw, dtype=f"<f{len(raw)}")[0].item()
    raise _Unplannable(f"fill value {value!r}")
