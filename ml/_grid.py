"""Opening input cubes lazily and aligning them onto the target's grid.

Private to :mod:`cubegraph.ml.dataset`. Cubes are opened lazily with xarray (metadata only,
no dask graph), only the named variable and the job's period are selected, and nothing is
read until :func:`load_arrays`. An input of a local zarr store that needs no regridding (the
common case: every variable of the target's own cube) is read with ``zarr`` directly and
CF-decoded (fill value -> NaN, ``scale_factor``, ``add_offset``, with xarray's arithmetic),
so reading costs little more than a raw ``zarr`` read; anything else (NetCDF, reindexed
inputs, unusual encodings) is read through xarray. Each alignment step is recorded as an
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

__all__ = ["AlignmentRecord", "CubeOpener", "DirectRead", "TargetGrid", "align_to_target",
           "direct_read", "load_arrays", "read_concurrently", "same_axis", "transpose_axes"]

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

    @classmethod
    def broadcast_time(cls, variable: str, cube: str, steps: int) -> "AlignmentRecord":
        """The record of a static layer repeated over the ``steps`` time steps of the grid."""
        return cls(variable, cube, "broadcast-time", f"static layer repeated over {steps} time steps")


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
    """Opens each cube once (lazily, metadata only) and closes them all on exit."""

    def __init__(self) -> None:
        self._open: dict[str, xr.Dataset] = {}
        self._groups: dict[str, Any] = {}
        self._arrays: dict[tuple[str, str], Any] = {}
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
            # chunks=None: xarray's own lazy indexing, no dask graph (whose scheduling cost
            # more than the decompression on small cubes). Nothing is read here.
            if is_zarr:
                with warnings.catch_warnings():
                    # zarr 3 warns that consolidated metadata is not in the v3 spec; reading
                    # it is still the fast path, and the warning is not the user's to act on.
                    warnings.simplefilter("ignore", UserWarning)
                    ds = xr.open_zarr(p, chunks=None, consolidated=None)
            else:
                ds = xr.open_dataset(p, chunks=None)
        except Exception as exc:  # any backend failure means "cannot open", said once
            raise InputReadError(f"cannot open input cube {str(path)!r}: {exc}") from exc
        self._stack.callback(ds.close)
        self._open[key] = ds
        return ds

    def zarr_group(self, path: str | Path):
        """The cube's zarr group (for direct reads), or ``None`` if it is not a zarr store."""
        key = str(Path(path).resolve())
        if key not in self._groups:
            p = Path(path)
            group = None
            if p.is_dir():
                try:
                    import zarr

                    group = zarr.open_group(str(p), mode="r")
                except Exception:  # not a zarr store: xarray reads it
                    group = None
            self._groups[key] = group
        return self._groups[key]

    def zarr_array(self, path: str | Path, name: str):
        """Array ``name`` of a zarr cube, opened once; ``None`` if not a zarr array."""
        key = (str(Path(path).resolve()), name)
        if key not in self._arrays:
            group = self.zarr_group(path)
            try:
                self._arrays[key] = None if group is None else group[name]
            except Exception:  # not an array zarr can open: xarray reads it
                self._arrays[key] = None
        return self._arrays[key]


@dataclass
class DirectRead:
    """How to read one aligned input straight from its zarr array (no regridding needed).

    Attributes:
        array: the opened zarr array.
        name: the array's name in its group.
        selection: one slice per stored dimension (the job's period on the time axis).
        axes: the transpose from stored order to ``(time, *space)``, ``None`` if none.
        scale / offset: CF ``scale_factor`` / ``add_offset`` (1 / 0 when absent).
        fills: raw values that mean "missing" (``_FillValue``, ``missing_value``).
    """

    array: Any
    name: str
    selection: tuple
    axes: tuple[int, ...] | None
    scale: float
    offset: float
    fills: tuple
    #: After :meth:`read`: ``True`` when the values are known to be all finite, else ``None``.
    finite: bool | None = None

    def read(self) -> np.ndarray:
        """The decoded values, float32, in ``(time, *space)`` order."""
        return self.decode(np.asarray(self.array[self.selection]))

    def decode(self, raw: np.ndarray) -> np.ndarray:
        """CF-decode the stored values ``raw`` of this array (see :meth:`read`)."""
        out = np.empty(raw.shape, np.float32)  # always a new array: the caller owns it
        if self.scale != 1.0 or self.offset != 0.0:
            # Unpacked in float64, as xarray does (a float32 product loses digits when the
            # offset is large against the value), then rounded once to float32 -- in blocks
            # that stay in cache: 1.6x faster than whole-array float64 temporaries.
            flat, dst = raw.reshape(-1), out.reshape(-1)
            wide = np.empty(min(flat.size, _DECODE_BLOCK), np.float64)
            for i in range(0, flat.size, _DECODE_BLOCK):
                w = wide[:min(_DECODE_BLOCK, flat.size - i)]
                np.copyto(w, flat[i:i + w.size], casting="unsafe")
                if self.scale != 1.0:
                    w *= self.scale
                if self.offset != 0.0:
                    w += self.offset
                np.copyto(dst[i:i + w.size], w, casting="same_kind")
        else:
            np.copyto(out, raw, casting="unsafe")
        missing = False
        for f in self.fills:
            hit = raw == f
            if hit.any():
                out[hit] = np.nan
                missing = True
        # Decoded integers are finite unless a fill value hit: no isfinite pass needed.
        self.finite = (not missing) if raw.dtype.kind in "iub" else None
        if self.axes is not None:
            out = np.ascontiguousarray(out.transpose(self.axes))
        return out


#: Elements per float64 block of the CF decode (512 KiB: stays in L2).
_DECODE_BLOCK = 1 << 16


def read_concurrently(plans: dict[str, DirectRead]) -> dict[str, np.ndarray]:
    """:meth:`DirectRead.read` of every plan, all arrays at once on zarr's event loop.

    zarr decompresses chunks in worker threads; gathering every array's reads in one event
    loop keeps those threads busy across arrays (one array has few chunks), and each array
    is CF-decoded in a worker thread as soon as it arrives (numpy releases the GIL), while
    others are still decompressing. The values are those of :meth:`DirectRead.read`.
    """
    import asyncio

    from zarr.core.sync import sync

    async def one(plan: DirectRead) -> np.ndarray:
        raw = await plan.array.async_array.getitem(plan.selection)
        return await asyncio.to_thread(plan.decode, np.asarray(raw))

    async def every() -> list[np.ndarray]:
        return await asyncio.gather(*(one(p) for p in plans.values()))

    return dict(zip(plans, sync(every())))


def direct_read(opener: CubeOpener, path: str | Path, name: str, dims: tuple[str, ...],
                time_slice: slice | None = None) -> DirectRead | None:
    """A :class:`DirectRead` of variable ``name`` of a local zarr cube, or ``None``.

    ``dims`` is the wanted dimension order, in the cube's own dimension names. ``None`` (read
    through xarray instead) when the cube is not a zarr store or the variable's encoding is
    anything but plain CF masking and linear packing of a numeric array.
    """
    ds = opener._dataset(path)
    var = ds.variables.get(name)
    if var is None or var.dtype.kind not in "fiub":
        return None
    enc = dict(var.encoding)
    if enc.get("_Unsigned") is not None or "units" in enc or "calendar" in enc:
        return None
    arr = opener.zarr_array(path, name)
    if arr is None:
        return None
    stored_dims = tuple(var.dims)
    if tuple(arr.shape) != tuple(ds.sizes[d] for d in stored_dims) or sorted(dims) != sorted(stored_dims):
        return None
    fills = []
    for key in ("_FillValue", "missing_value"):
        for v in np.atleast_1d(enc.get(key, [])):
            if v is not None and not (isinstance(v, float) and np.isnan(v)):
                fills.append(v)
    tdim = time_dim_of(ds[name])
    selection = tuple(time_slice if (d == tdim and time_slice is not None) else slice(None)
                      for d in stored_dims)
    return DirectRead(arr, name, selection, transpose_axes(stored_dims, dims),
                      float(np.asarray(enc.get("scale_factor", 1.0))),
                      float(np.asarray(enc.get("add_offset", 0.0))), tuple(fills))


def transpose_axes(stored: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[int, ...] | None:
    """The transpose from ``stored`` dimension order to ``wanted``, ``None`` when it is the same."""
    axes = tuple(stored.index(d) for d in wanted)
    return None if axes == tuple(range(len(axes))) else axes


def same_axis(source: np.ndarray, target: np.ndarray, *, time: bool) -> bool:
    """Whether an input's coordinates along one axis are the target's, so no reindex is needed.

    Times must be equal; spatial coordinates equal to 1e-9 (float rounding of the writer).
    """
    if source.shape != target.shape:
        return False
    if time:
        return bool(np.array_equal(source, target))
    return bool(np.allclose(source, target, rtol=0, atol=1e-9))


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
    gm = da.attrs.get("grid_mapping") or da.encoding.get("grid_mapping")
    return declared_crs(ds[gm].attrs if gm and gm in ds.variables else None, ds.attrs)


def declared_crs(grid_mapping: dict | None, global_attrs: dict) -> str | None:
    """:func:`crs_of` from plain attributes: the grid mapping's, then the cube's."""
    found: str | None = None
    if grid_mapping:
        for key in ("crs_wkt", "spatial_ref", "epsg_code", "grid_mapping_name"):
            if grid_mapping.get(key):
                found = str(grid_mapping[key])
                break
    if found is None:
        for key in ("crs", "crs_wkt", "spatial_ref", "epsg", "proj:epsg"):
            if global_attrs.get(key) not in (None, ""):
                value = global_attrs[key]
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
        records.append(AlignmentRecord.broadcast_time(name, path, len(grid.time)))
        return da.transpose(*grid.space_dims), records
    da, rec = _align_time(da, grid, name, path)
    if rec:
        records.append(rec)
    return da.transpose(grid.time_dim, *grid.space_dims), records


def _align_axis(da: xr.DataArray, dim: str, target: np.ndarray, name: str, path: str):
    source = np.asarray(da[dim].values) if dim in da.coords else np.arange(da.sizes[dim])
    if same_axis(source, target, time=False):
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
    if same_axis(source, target, time=True):
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


def load_arrays(arrays: dict[str, xr.DataArray | None], cubes: dict[str, str],
                direct: dict[str, DirectRead | None] | None = None,
                finite: dict[str, bool] | None = None) -> dict[str, np.ndarray]:
    """Read every aligned input, as float32 ``(time, *space)`` arrays.

    Static layers come back as ``(*space)`` arrays (``arrays`` may hold ``None`` for an
    input read only through its plan). Inputs with a :class:`DirectRead` in
    ``direct`` are read with zarr directly, all at once (:func:`read_concurrently`); the
    others through xarray.

    Args:
        finite: when given, filled with whether each array is free of NaN/inf (the feature
            code skips its missing-value handling for those).

    Raises:
        AllNaNVariable: naming the first input that holds no finite value in the period.
    """
    direct = {n: p for n, p in (direct or {}).items() if p is not None and n in arrays}
    try:
        read = read_concurrently(direct) if direct else {}
    except Exception:  # an encoding zarr alone cannot read: per array below, else xarray
        read = {}
    out: dict[str, np.ndarray] = {}
    for n, da in arrays.items():
        v = read.get(n)
        plan = direct.get(n)
        if v is None and plan is not None:
            try:
                v = plan.read()
            except Exception as exc:
                if da is None:  # planned from zarr metadata: xarray would read it with zarr
                    raise InputReadError(f"cannot read {n!r} from {cubes[n]!r}: {exc}") from exc
                v = None
        if v is None:
            plan = None
            v = np.asarray(da.values, dtype=np.float32)
        all_finite = plan is not None and plan.finite is True
        if not all_finite:
            ok = np.isfinite(v)
            all_finite = bool(ok.all())
        if finite is not None:
            finite[n] = all_finite
        if not all_finite and not ok.any():
            raise AllNaNVariable(
                f"variable {n!r} in {cubes[n]!r} holds no finite value in the job period "
                "(after alignment to the target grid): drop it from the job, or choose a "
                "period or region where it has data"
            )
        out[n] = v
    return out
