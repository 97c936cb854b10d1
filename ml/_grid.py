"""Opening input cubes lazily and aligning them onto the target's grid.

Private to :mod:`cubegraph.ml.dataset`. Cubes are opened with xarray and dask chunks, only
the named variable and the job's period are selected, and nothing is read until
:func:`load_arrays` computes every selected array in one dask pass (so decompression of
different variables runs in parallel). Each alignment step is recorded as an
:class:`AlignmentRecord`, so the provenance of a run can say what was regridded and how.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from cubegraph.ml.errors import AllNaNVariable, GridMismatch, InputReadError

__all__ = ["AlignmentRecord", "CubeOpener", "TargetGrid", "align_to_target", "load_arrays"]

#: Dimension names taken to be time; anything datetime-typed counts too.
_TIME_NAMES = ("time", "t", "date", "valid_time")
#: Spellings of the same geographic axis, so ``latitude`` aligns with ``lat``.
_DIM_ALIASES = {"latitude": "lat", "longitude": "lon"}
#: Spellings of plain geographic WGS 84 (a CF grid mapping name, EPSG code or WKT).
_WGS84 = re.compile(r"^(epsg:?4326|wgs ?84|latitude_longitude|.*geogcs\[\"wgs 84\".*)$", re.I | re.S)


@dataclass(frozen=True)
class AlignmentRecord:
    """What was done to one input to put it on the target grid.

    Attributes:
        variable: variable name in its cube.
        cube: path of the cube.
        method: ``"identical"``, ``"nearest"`` (spatial nearest-neighbour reindex),
            ``"pad"`` (time: last value at or before each target day, never a later one),
            or ``"broadcast-time"`` (a static layer repeated over every day).
        detail: a human-readable sentence with the sizes and tolerances used.
    """

    variable: str
    cube: str
    method: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class TargetGrid:
    """The grid every input is aligned to: the target's time and spatial coordinates."""

    time_dim: str
    space_dims: tuple[str, ...]
    time: np.ndarray
    space: dict[str, np.ndarray]
    crs: str | None

    @property
    def space_shape(self) -> tuple[int, ...]:
        return tuple(len(self.space[d]) for d in self.space_dims)


class CubeOpener:
    """Opens each cube once (lazily, with dask chunks) and closes them all on exit."""

    def __init__(self) -> None:
        self._open: dict[str, xr.Dataset] = {}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "CubeOpener":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()

    def variable(self, path: str | Path, name: str) -> tuple[xr.Dataset, xr.DataArray]:
        """The named variable of a cube, lazy, with its dimension aliases normalised.

        Raises:
            InputReadError: if the path does not exist, cannot be opened, or lacks ``name``.
        """
        ds = self._dataset(path)
        if name not in ds.data_vars:
            raise InputReadError(
                f"cube {str(path)!r} has no variable {name!r}; it holds "
                f"{sorted(map(str, ds.data_vars))}: check the job's variable names"
            )
        da = ds[name]
        renames = {d: _DIM_ALIASES[d] for d in da.dims if d in _DIM_ALIASES}
        return ds, (da.rename(renames) if renames else da)

    def _dataset(self, path: str | Path) -> xr.Dataset:
        key = str(Path(path).resolve())
        if key in self._open:
            return self._open[key]
        p = Path(path)
        if not p.exists():
            raise InputReadError(f"input cube {str(path)!r} does not exist: check the path")
        is_zarr = p.is_dir() or p.suffix == ".zarr"
        try:
            # chunks={} keeps the store's own chunking: reads stay lazy and chunk-aligned.
            if is_zarr:
                with warnings.catch_warnings():
                    # zarr 3 warns that consolidated metadata is not in the v3 spec; reading
                    # it is still the fast path, and the warning is not the user's to act on.
                    warnings.simplefilter("ignore", UserWarning)
                    ds = xr.open_zarr(p, chunks={}, consolidated=None)
            else:
                ds = xr.open_dataset(p, chunks={})
        except Exception as exc:  # any backend failure means "cannot open", said once
            raise InputReadError(f"cannot open input cube {str(path)!r}: {exc}") from exc
        self._stack.callback(ds.close)
        self._open[key] = ds
        return ds


def time_dim_of(da: xr.DataArray) -> str | None:
    """The time dimension of an array, or ``None`` for a static layer."""
    for d in da.dims:
        if d in _TIME_NAMES:
            return str(d)
        if d in da.coords and np.issubdtype(da.coords[d].dtype, np.datetime64):
            return str(d)
    return None


def crs_of(ds: xr.Dataset, da: xr.DataArray) -> str | None:
    """The declared CRS of a variable (grid mapping, then global attributes), normalised.

    Returns ``None`` when the cube declares none: such inputs are assumed to share the
    target's CRS, since a mismatch cannot be proven from the file.
    """
    found: str | None = None
    gm = da.attrs.get("grid_mapping") or da.encoding.get("grid_mapping")
    if gm and gm in ds.variables:
        a = ds[gm].attrs
        for key in ("crs_wkt", "spatial_ref", "epsg_code", "grid_mapping_name"):
            if a.get(key):
                found = str(a[key])
                break
    if found is None:
        for key in ("crs", "crs_wkt", "spatial_ref", "epsg", "proj:epsg"):
            if ds.attrs.get(key) not in (None, ""):
                value = ds.attrs[key]
                found = f"EPSG:{value}" if isinstance(value, (int, np.integer)) else str(value)
                break
    if found is None:
        return None
    found = found.strip()
    return "EPSG:4326" if _WGS84.match(found) else found


def target_grid(ds: xr.Dataset, da: xr.DataArray, path: str) -> TargetGrid:
    """The grid of the target variable.

    Raises:
        GridMismatch: if the target has no time dimension (nothing to forecast).
    """
    tdim = time_dim_of(da)
    if tdim is None:
        raise GridMismatch(
            f"target {da.name!r} in {path!r} has no time dimension: a forecast target must "
            "vary over time; pick a time-dependent target variable"
        )
    space_dims = tuple(str(d) for d in da.dims if d != tdim)
    space = {d: np.asarray(da[d].values) if d in da.coords else np.arange(da.sizes[d])
             for d in space_dims}
    return TargetGrid(tdim, space_dims, np.asarray(da[tdim].values), space, crs_of(ds, da))


def align_to_target(
    ds: xr.Dataset, da: xr.DataArray, grid: TargetGrid, path: str
) -> tuple[xr.DataArray, list[AlignmentRecord]]:
    """Lazily put one input on the target grid: same dims, order, coordinates.

    Space: identical coordinates are kept; otherwise a nearest-neighbour reindex onto the
    target coordinates, with a tolerance of one grid step (target points farther than that
    from any input point become NaN). Time: a ``pad`` reindex (the last input value at or
    before each target day), never ``nearest``, because a nearest value may lie in the
    future and leak it into today's features. A static layer is broadcast over time.

    Raises:
        GridMismatch: on different declared CRSs, missing spatial dimensions, or no overlap
            in space or time.
    """
    name = str(da.name)
    records: list[AlignmentRecord] = []
    crs = crs_of(ds, da)
    if crs and grid.crs and crs != grid.crs:
        raise GridMismatch(
            f"input {name!r} in {path!r} is in CRS {crs!r} but the target is in "
            f"{grid.crs!r}: reproject the input onto the target grid first (e.g. with "
            "rioxarray), then ingest the reprojected cube"
        )
    tdim = time_dim_of(da)
    if tdim is not None and tdim != grid.time_dim:
        da = da.rename({tdim: grid.time_dim})
    extra = [d for d in da.dims if d != grid.time_dim and d not in grid.space_dims]
    missing = [d for d in grid.space_dims if d not in da.dims]
    if missing or extra:
        raise GridMismatch(
            f"input {name!r} in {path!r} has dimensions {tuple(map(str, da.dims))} but the "
            f"target grid is {(grid.time_dim, *grid.space_dims)}: missing {missing}, "
            f"unexpected {extra}; select or rename dimensions so they match"
        )
    for d in grid.space_dims:
        da, rec = _align_axis(da, d, grid.space[d], name, path)
        if rec:
            records.append(rec)
    if tdim is None:
        # Kept 2-D: the features broadcast it over time without a T-fold copy.
        records.append(AlignmentRecord(name, path, "broadcast-time",
                                       f"static layer repeated over {len(grid.time)} time steps"))
        return da.transpose(*grid.space_dims), records
    da, rec = _align_time(da, grid, name, path)
    if rec:
        records.append(rec)
    return da.transpose(grid.time_dim, *grid.space_dims), records


def _align_axis(da: xr.DataArray, dim: str, target: np.ndarray, name: str, path: str):
    source = np.asarray(da[dim].values) if dim in da.coords else np.arange(da.sizes[dim])
    if source.shape == target.shape and np.allclose(source, target, rtol=0, atol=1e-9):
        if dim not in da.coords:
            da = da.assign_coords({dim: target})
        return da, None
    lo, hi = max(source.min(), target.min()), min(source.max(), target.max())
    step = max(_step(source), _step(target))
    if lo > hi + step:
        raise GridMismatch(
            f"input {name!r} in {path!r} does not overlap the target along {dim!r}: input "
            f"covers [{source.min():g}, {source.max():g}], target [{target.min():g}, "
            f"{target.max():g}]; choose an input cube that covers the target region"
        )
    da = da.sortby(dim).reindex({dim: target}, method="nearest", tolerance=step * 1.0001)
    outside = int(((target < source.min() - step) | (target > source.max() + step)).sum())
    detail = (f"{dim}: nearest-neighbour reindex of {len(source)} input points onto "
              f"{len(target)} target points (tolerance {step:g}); "
              f"{outside} target points outside the input left NaN")
    return da, AlignmentRecord(name, path, "nearest", detail)


def _align_time(da: xr.DataArray, grid: TargetGrid, name: str, path: str):
    dim = grid.time_dim
    source = np.asarray(da[dim].values)
    target = grid.time
    if source.shape == target.shape and np.array_equal(source, target):
        return da, None
    if source.max() < target.min() or source.min() > target.max():
        raise GridMismatch(
            f"input {name!r} in {path!r} covers {str(source.min())[:10]} to "
            f"{str(source.max())[:10]}, which does not overlap the job period "
            f"{str(target.min())[:10]} to {str(target.max())[:10]}; pick a period both cover"
        )
    # Same-day samples are exact; coarser inputs (8-day LAI) carry their last value forward.
    da = da.sortby(dim).reindex({dim: target}, method="pad")
    detail = (f"time: {len(source)} input steps reindexed onto {len(target)} target steps "
              "with the last value at or before each step (no look-ahead)")
    return da, AlignmentRecord(name, path, "pad", detail)


def _step(coord: np.ndarray) -> float:
    if coord.size < 2:
        return 0.0
    return float(np.max(np.abs(np.diff(np.sort(coord.astype(float))))))


def load_arrays(arrays: dict[str, xr.DataArray], cubes: dict[str, str]) -> dict[str, np.ndarray]:
    """Read every aligned input in one dask pass, as float32 ``(time, *space)`` arrays.

    Static layers come back as ``(*space)`` arrays.

    Raises:
        AllNaNVariable: naming the first input that holds no finite value in the period.
    """
    import dask

    names = list(arrays)
    values = dask.compute(*(arrays[n].data for n in names))
    out: dict[str, np.ndarray] = {}
    for n, v in zip(names, values):
        v = np.asarray(v, dtype=np.float32)
        if not np.isfinite(v).any():
            raise AllNaNVariable(
                f"variable {n!r} in {cubes[n]!r} holds no finite value in the job period "
                "(after alignment to the target grid): drop it from the job, or choose a "
                "period or region where it has data"
            )
        out[n] = v
    return out
