"""Planning and reading a job's inputs on the target grid, through the cube layer.

Private to :mod:`cubegraph.ml.dataset`. :func:`plan_inputs` opens every cube once (metadata
only, :class:`CubeOpener`), takes the target's grid and aligns each driver onto it
(:mod:`cubegraph.ml._grid`); :func:`load_arrays` then reads every input at once with
:func:`cubegraph.ingest.cubes.read_many` -- the chunks of all zarr inputs decompress together
on zarr's event loop, each CF-decoded in cache-sized blocks as it arrives -- and gathers the
regridded ones onto the grid. An input already on the grid (the common case: drivers of the
target's own cube) is read straight into place: its read is the aligned array.
:func:`plan_zarr_reads` says whether a job is entirely such a read of local zarr v3 stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from cubegraph.ingest.cubes import OpenCube, VariableRead, open_cube, read_many
from cubegraph.ingest.errors import CubeNotFound, CubeReadError, IngestError
from cubegraph.ml._grid import (
    Alignment,
    AlignmentRecord,
    InputView,
    TargetGrid,
    align_to_target,
    target_grid,
    time_dim_of,
    transpose_axes,
)
from cubegraph.ml.errors import AllNaNVariable, InputReadError, InsufficientData

__all__ = ["CubeOpener", "InputRead", "InputPlan", "direct_read", "plan_inputs",
           "plan_zarr_reads", "load_arrays"]


class CubeOpener:
    """Opens each cube of a job once (metadata only) and forgets them on exit."""

    def __init__(self) -> None:
        self._open: dict[str, OpenCube] = {}

    def __enter__(self) -> "CubeOpener":
        return self

    def __exit__(self, *exc) -> None:
        self._open.clear()  # nothing stays open: the cube layer opens files per read

    def cube(self, path: str | Path) -> OpenCube:
        """The cube at ``path``.

        Raises:
            InputReadError: if the path does not exist or cannot be opened as a cube.
        """
        key = str(Path(path).resolve())
        if key not in self._open:
            try:
                self._open[key] = open_cube(path)
            except CubeNotFound as exc:
                raise InputReadError(f"input cube {str(path)!r} does not exist: check the path") from exc
            except IngestError as exc:  # not a cube, or unreadable metadata: said once
                raise InputReadError(f"cannot open input cube {str(path)!r}: {exc}") from exc
        return self._open[key]

    def variable(self, path: str | Path, name: str) -> InputView:
        """Variable ``name`` of the cube at ``path``, as ml sees it (lat/lon aliases).

        Raises:
            InputReadError: if the path does not exist, cannot be opened, or lacks ``name``.
        """
        cube = self.cube(path)
        if name not in cube.data_variables:
            raise InputReadError(
                f"cube {str(path)!r} has no variable {name!r}; it holds "
                f"{sorted(cube.data_variables)}: check the job's variable names"
            )
        return InputView.of(cube.variable(name), str(path))


@dataclass
class InputRead:
    """One input's read: a selection of the stored array, then the cells of the grid.

    Attributes:
        read: the cube layer's read (the bounding box of the cells used, in output order).
        take: per output axis, positions within ``read``'s array of each cell (``-1``: NaN),
            ``None`` where the read already is the axis.
    """

    read: VariableRead
    take: tuple[np.ndarray | None, ...]

    @property
    def direct(self) -> bool:
        """Whether the read is the aligned array itself (no gathering)."""
        return all(t is None for t in self.take)


@dataclass
class InputPlan:
    """Everything a dataset needs before reading: the grid, one read per input, the records."""

    grid: TargetGrid
    reads: dict[str, InputRead]
    records: list[AlignmentRecord]
    formats: dict[str, tuple[str, str]]


def direct_read(opener: CubeOpener, path: str | Path, name: str, dims: tuple[str, ...],
                time_slice: slice | None = None) -> VariableRead | None:
    """The read of variable ``name`` in dimension order ``dims`` (its own names), the time
    axis cut to ``time_slice``; ``None`` when ``dims`` are not the variable's.

    Raises:
        InputReadError: as :meth:`CubeOpener.variable`.

    Speed seam: reads through the cube layer, bypassing xarray (``open_zarr`` or
    ``open_dataset``, ``.sel`` and ``.transpose``, and its CF decoding);
    ``tests/ml/test_dataset.py::test_direct_zarr_read_decodes_exactly_as_xarray`` holds the
    values equal to xarray's, bit for bit (figure: docs/benchmarks.md).
    """
    view = opener.variable(path, name)
    var = view.var
    if sorted(dims) != sorted(var.dims) or var.dtype.kind not in "fiub":
        return None
    tdim = time_dim_of(view)
    tdim = view.stored(tdim) if tdim is not None else None
    selection = tuple(time_slice if (d == tdim and time_slice is not None) else slice(None)
                      for d in var.dims)
    return var.selection(selection, transpose_axes(var.dims, tuple(dims)))


def _input_read(view: InputView, al: Alignment) -> InputRead:
    """The read of an aligned input: its bounding box, then the gather onto the grid."""
    var = view.var
    bounds: dict[str, slice] = {}
    take = []
    for stored, index in zip(al.stored_dims, al.index):
        if index is None:
            bounds[stored] = slice(None)
            take.append(None)
            continue
        valid = index[index >= 0]
        # No input point near any cell: read one (every cell becomes NaN, and the caller
        # names the variable that holds no finite value).
        lo, hi = (int(valid.min()), int(valid.max()) + 1) if valid.size else (0, 1)
        bounds[stored] = slice(lo, hi)
        local = np.where(index >= 0, index - lo, -1)
        contiguous = valid.size == index.size and np.array_equal(local, np.arange(hi - lo))
        take.append(None if contiguous else local)
    selection = tuple(bounds[d] for d in var.dims)
    if var.dtype.kind not in "fiub":
        raise InputReadError(f"input {view.name!r} in {view.path!r} holds {var.dtype} values, "
                             "not numbers: choose a numeric variable")
    return InputRead(var.selection(selection, transpose_axes(var.dims, al.stored_dims)), tuple(take))


def plan_inputs(target, drivers: Sequence, keys: Sequence[str], target_key: str,
                period: tuple[str, str] | None = None,
                opener: CubeOpener | None = None) -> InputPlan:
    """Open the job's cubes, take the target's grid and align every driver onto it.

    Args:
        target / drivers: the job's :class:`~cubegraph.ml.dataset.InputRef` s.
        keys: the dataset key of each driver, in order.
        target_key: the key of the target's read.
        period: ``(start, end)`` ISO dates of the target to use; all of it when ``None``.

    Raises:
        InputReadError: if a cube cannot be opened or lacks a variable.
        GridMismatch: if an input cannot be aligned to the target grid.
        InsufficientData: if the period holds no time step of the target.
    """
    opener = opener or CubeOpener()
    tview = opener.variable(target.path, target.variable)
    grid, time_slice = target_grid(tview, period)
    if len(grid.time) == 0:
        raise InsufficientData(
            f"target {target.variable!r} in {str(target.path)!r} has no time step in the "
            f"period {period}: choose a period inside the cube's time range"
        )
    # The target is the grid: read as stored, time first, cut to the period.
    dims = tuple(tview.stored(d) for d in (grid.time_dim, *grid.space_dims))
    own = direct_read(opener, target.path, target.variable, dims, time_slice)
    if own is None:
        raise InputReadError(f"target {target.variable!r} in {str(target.path)!r} holds "
                             f"{tview.var.dtype} values, not numbers: choose a numeric target")
    reads = {target_key: InputRead(own, (None,) * len(dims))}
    formats = {target_key: _format(opener, target.path)}
    records: list[AlignmentRecord] = []
    for ref, key in zip(drivers, keys):
        view = opener.variable(ref.path, ref.variable)
        al, recs = align_to_target(view, grid)
        reads[key] = _input_read(view, al)
        formats[key] = _format(opener, ref.path)
        records.extend(recs)
    return InputPlan(grid, reads, records, formats)


def _format(opener: CubeOpener, path) -> tuple[str, str]:
    raw = opener.cube(path).raw
    return raw.format, raw.format_version


def plan_zarr_reads(target, drivers: Sequence, keys: Sequence[str],
                    target_key: str) -> InputPlan | None:
    """The plan of a job read straight from local zarr v3 stores, or ``None``.

    Such a job -- every input a variable of a local zarr v3 cube on the target's own grid,
    no period -- needs no regridding: every read is the aligned array, all read at once on
    zarr's event loop. ``None`` for anything else (NetCDF; zarr v2, whose dimension names
    are xarray's ``_ARRAY_DIMENSIONS`` attribute, not zarr metadata; another grid; a
    missing input): :func:`plan_inputs` plans those and words every error.
    """
    try:
        plan = plan_inputs(target, drivers, keys, target_key)
    except Exception:  # noqa: BLE001 - plan_inputs words the error when the job runs
        return None
    if all(r.direct for r in plan.reads.values()) \
            and all(f == ("zarr", "3") for f in plan.formats.values()) \
            and all(r.method == "broadcast-time" for r in plan.records):
        return plan
    return None


def load_arrays(reads: dict[str, InputRead], cubes: dict[str, str],
                finite: dict[str, bool] | None = None) -> dict[str, np.ndarray]:
    """Read every input onto the grid, as float32 ``(time, *space)`` arrays.

    Static layers come back as ``(*space)`` arrays. Every read runs at once
    (:func:`~cubegraph.ingest.cubes.read_many`); regridded inputs are then gathered, cells
    without an input value NaN.

    Args:
        finite: when given, filled with whether each array is free of NaN/inf (the feature
            code skips its missing-value handling for those).

    Raises:
        InputReadError: when an input's data cannot be read.
        AllNaNVariable: naming the first input that holds no finite value in the period.
    """
    try:
        values = read_many({k: r.read for k, r in reads.items()})
    except CubeReadError as exc:
        raise InputReadError(f"{exc}: check the input cube, or re-create it") from exc
    out: dict[str, np.ndarray] = {}
    for n, r in reads.items():
        v = values[n]
        all_finite = r.direct and r.read.finite is True
        if not r.direct:
            v = _gather(v, r.take)
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


def _gather(values: np.ndarray, take: tuple[np.ndarray | None, ...]) -> np.ndarray:
    """The cells ``take`` selects along each axis of ``values``; ``-1`` -> NaN."""
    for axis, index in enumerate(take):
        if index is None:
            continue
        values = np.take(values, np.where(index >= 0, index, 0), axis=axis)
        outside = index < 0
        if outside.any():
            values[(slice(None),) * axis + (outside,)] = np.nan
    return np.ascontiguousarray(values)
