"""Putting input variables on the target's grid: which stored positions land on each cell.

Private to :mod:`cubegraph.ml.dataset`. The cube layer (:mod:`cubegraph.ingest.cubes`) opens
the cubes and decodes their coordinates and CRS; this module decides, per input, which
positions of the stored array fill each cell of the target grid, as numpy index arrays
(an :class:`Alignment`), and records each step as an :class:`AlignmentRecord`, so the
provenance of a run can say what was regridded and how:

- space: identical coordinates are kept; otherwise the nearest input point within one grid
  step (pandas' ``get_indexer(method="nearest", tolerance=...)`` on the sorted axis, what
  ``xarray.DataArray.reindex`` runs), farther target points NaN;
- time: identical times are kept; otherwise the last input value at or before each target
  time (``method="pad"``), never ``nearest``, which may lie in the future and leak it;
- a static layer stays 2-D (the features broadcast it over time without a T-fold copy).

The indexing is the one xarray's reindex does, so datasets are bit-identical to the ones the
earlier xarray-based reading built.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from cubegraph.ingest.cubes import CubeVariable, crs_label, period_slice, same_crs
from cubegraph.ml.errors import GridMismatch, MLError

__all__ = ["AlignmentRecord", "TargetGrid", "InputView", "Alignment", "target_grid",
           "align_to_target", "same_axis", "time_dim_of", "transpose_axes"]

#: Dimension names taken to be time; anything datetime-typed counts too.
_TIME_NAMES = ("time", "t", "date", "valid_time")
#: Spellings of the same geographic axis, so ``latitude`` aligns with ``lat``.
_DIM_ALIASES = {"latitude": "lat", "longitude": "lon"}


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


@dataclass
class InputView:
    """A cube variable as ml sees it: latitude/longitude spelt lat/lon.

    Attributes:
        var: the cube layer's variable.
        dims: its dimension names, aliases applied (stored order).
        path: the cube's path as the job gave it (for messages and records).
    """

    var: CubeVariable
    dims: tuple[str, ...]
    path: str

    @classmethod
    def of(cls, var: CubeVariable, path: str) -> "InputView":
        return cls(var, tuple(_DIM_ALIASES.get(d, d) for d in var.dims), path)

    @property
    def name(self) -> str:
        return self.var.name

    def stored(self, dim: str) -> str:
        """The stored name of dimension ``dim``."""
        return self.var.dims[self.dims.index(dim)]

    def coord(self, dim: str) -> np.ndarray | None:
        """The decoded coordinate along ``dim``, None when the cube has none."""
        return self.var.coords.get(self.stored(dim))

    def positions(self, dim: str) -> np.ndarray:
        """The coordinate along ``dim``, or the positions 0..n-1 when it has none."""
        c = self.coord(dim)
        return c if c is not None else np.arange(self.var.shape[self.dims.index(dim)])


@dataclass
class Alignment:
    """Where one input's cells come from, in output order ``(time, *space)`` or ``(*space)``.

    Attributes:
        dims: the output dimensions (the grid's names).
        stored_dims: the input's own dimension names, in output order.
        index: per output dimension, the stored positions of each output cell (``-1``: no
            input value, NaN), or ``None`` for the stored axis as it is.
    """

    dims: tuple[str, ...]
    stored_dims: tuple[str, ...]
    index: tuple[np.ndarray | None, ...]


def time_dim_of(view: InputView) -> str | None:
    """The time dimension of an input, or ``None`` for a static layer."""
    for d in view.dims:
        if d in _TIME_NAMES:
            return d
        c = view.coord(d)
        if c is not None and np.issubdtype(c.dtype, np.datetime64):
            return d
    return None


def same_axis(source: np.ndarray, target: np.ndarray, *, time: bool) -> bool:
    """Whether an input's coordinates along one axis are the target's, so no reindex is needed.

    Times must be equal; spatial coordinates equal to 1e-9 (float rounding of the writer).
    """
    if source.shape != target.shape:
        return False
    if time:
        return bool(np.array_equal(source, target))
    return bool(np.allclose(source, target, rtol=0, atol=1e-9))


def transpose_axes(stored: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[int, ...] | None:
    """The transpose from ``stored`` dimension order to ``wanted``, ``None`` when it is the same."""
    axes = tuple(stored.index(d) for d in wanted)
    return None if axes == tuple(range(len(axes))) else axes


def target_grid(view: InputView, period: tuple[str, str] | None = None
                ) -> tuple[TargetGrid, slice | None]:
    """The grid of the target variable (its ``period`` only, when given) and the positions
    of that period on its time axis (``None``: all of it).

    Raises:
        GridMismatch: if the target has no time dimension (nothing to forecast).
        MLError: if the period cannot be selected on its time axis.
    """
    tdim = time_dim_of(view)
    if tdim is None:
        raise GridMismatch(
            f"target {view.name!r} in {view.path!r} has no time dimension: a forecast target "
            "must vary over time; pick a time-dependent target variable"
        )
    time = np.asarray(view.positions(tdim))
    time_slice = None
    if period is not None:
        try:
            time_slice = period_slice(time, period[0], period[1])
        except (KeyError, TypeError, ValueError) as exc:
            raise MLError(f"target {view.name!r} in {view.path!r}: the period {period} cannot "
                          f"be selected on its time axis ({exc}); give ISO dates") from exc
        time = time[time_slice]
    space_dims = tuple(d for d in view.dims if d != tdim)
    grid = TargetGrid(tdim, space_dims, time, {d: np.asarray(view.positions(d)) for d in space_dims},
                      view.var.crs)
    return grid, time_slice


def align_to_target(view: InputView, grid: TargetGrid) -> tuple[Alignment, list[AlignmentRecord]]:
    """Where each cell of one input on the target grid comes from (see module docstring).

    Raises:
        GridMismatch: on different declared CRSs, missing spatial dimensions, or no overlap
            in space or time.
    """
    name, path = view.name, view.path
    records: list[AlignmentRecord] = []
    crs = view.var.crs
    if crs and grid.crs and not same_crs(crs, grid.crs):
        raise GridMismatch(
            f"input {name!r} in {path!r} is in CRS {crs_label(crs)!r} but the target is in "
            f"{crs_label(grid.crs)!r}: reproject the input onto the target grid first (e.g. "
            "with rioxarray), then ingest the reprojected cube"
        )
    tdim = time_dim_of(view)
    dims = tuple(grid.time_dim if d == tdim else d for d in view.dims)
    extra = [d for d in dims if d != grid.time_dim and d not in grid.space_dims]
    missing = [d for d in grid.space_dims if d not in dims]
    if missing or extra:
        raise GridMismatch(
            f"input {name!r} in {path!r} has dimensions {dims} but the "
            f"target grid is {(grid.time_dim, *grid.space_dims)}: missing {missing}, "
            f"unexpected {extra}; select or rename dimensions so they match"
        )
    index: dict[str, np.ndarray | None] = {}
    for d in grid.space_dims:
        index[d], rec = _align_axis(view.positions(d), d, grid.space[d], name, path)
        if rec:
            records.append(rec)
    if tdim is None:
        records.append(AlignmentRecord.broadcast_time(name, path, len(grid.time)))
        out = grid.space_dims
    else:
        index[grid.time_dim], rec = _align_time(np.asarray(view.positions(tdim)), grid, name, path)
        if rec:
            records.append(rec)
        out = (grid.time_dim, *grid.space_dims)
    stored = tuple(view.var.dims[dims.index(d)] for d in out)
    return Alignment(out, stored, tuple(index[d] for d in out)), records


def _align_axis(source: np.ndarray, dim: str, target: np.ndarray, name: str, path: str):
    if same_axis(source, target, time=False):
        return None, None
    lo, hi = max(source.min(), target.min()), min(source.max(), target.max())
    step = max(_step(source), _step(target))
    if lo > hi + step:
        raise GridMismatch(
            f"input {name!r} in {path!r} does not overlap the target along {dim!r}: input "
            f"covers [{source.min():g}, {source.max():g}], target [{target.min():g}, "
            f"{target.max():g}]; choose an input cube that covers the target region"
        )
    index = _reindex(source, target, method="nearest", tolerance=step * 1.0001)
    outside = int(((target < source.min() - step) | (target > source.max() + step)).sum())
    detail = (f"{dim}: nearest-neighbour reindex of {len(source)} input points onto "
              f"{len(target)} target points (tolerance {step:g}); "
              f"{outside} target points outside the input left NaN")
    return index, AlignmentRecord(name, path, "nearest", detail)


def _align_time(source: np.ndarray, grid: TargetGrid, name: str, path: str):
    target = grid.time
    if same_axis(source, target, time=True):
        return None, None
    if source.max() < target.min() or source.min() > target.max():
        raise GridMismatch(
            f"input {name!r} in {path!r} covers {str(source.min())[:10]} to "
            f"{str(source.max())[:10]}, which does not overlap the job period "
            f"{str(target.min())[:10]} to {str(target.max())[:10]}; pick a period both cover"
        )
    # Same-day samples are exact; coarser inputs (8-day LAI) carry their last value forward.
    index = _reindex(source, target, method="pad")
    detail = (f"time: {len(source)} input steps reindexed onto {len(target)} target steps "
              "with the last value at or before each step (no look-ahead)")
    return index, AlignmentRecord(name, path, "pad", detail)


def _reindex(source: np.ndarray, target: np.ndarray, **how: Any) -> np.ndarray:
    """Stored positions of each target point (``-1``: none), as ``sortby`` + ``reindex`` do."""
    order = np.argsort(source, kind="stable")
    found = pd.Index(source[order]).get_indexer(target, **how)
    return np.where(found >= 0, order[found], -1)


def _step(coord: np.ndarray) -> float:
    if coord.size < 2:
        return 0.0
    return float(np.max(np.abs(np.diff(np.sort(coord.astype(float))))))
