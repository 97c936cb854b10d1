"""Lazily chunked dask views of a cube's variables, decoded (for statistics over all data).

One dask chunk per storage chunk, so each chunk is read once whatever the reductions; each
block is decoded by the one CF decoder (:func:`~cubegraph.ingest.cubes.cf.decode_float64`:
fill values NaN, packing applied; times are not decoded), so statistics count missing
values exactly as ingest and ml do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cubegraph.ingest.cubes.cf import CFCoding, decode_float64
from cubegraph.ingest.cubes.variable import CubeVariable, open_cube

__all__ = ["dask_variables"]


class _Blocks:
    """The array protocol dask's ``from_array`` reads blocks through (stored values)."""

    def __init__(self, var: CubeVariable):
        self.var = var
        self.shape, self.dtype, self.ndim = var.shape, var.dtype, var.ndim

    def __getitem__(self, selection) -> np.ndarray:
        selection = selection if isinstance(selection, tuple) else (selection,)
        return self.var.source.read(selection)


def _decode(block: np.ndarray, coding: CFCoding) -> np.ndarray:
    return decode_float64(block, coding).astype("float64", copy=False)


def dask_variables(path: str | Path, names=None) -> dict:
    """Decoded float64 dask arrays of the numeric data variables of the cube at ``path``.

    Args:
        path: the cube.
        names: the variables wanted (default: every data variable); non-numeric ones and
            names the cube lacks are left out.

    Raises:
        CubeNotFound, ReaderNotFound, CubeReadError: when the cube cannot be opened.
    """
    import dask.array as da

    cube = open_cube(path)
    out = {}
    for name in (cube.data_variables if names is None else names):
        if name not in cube.data_variables:
            continue
        var = cube.variable(name)
        if var.dtype.kind not in "fiu":
            continue
        chunks = var.chunks or var.shape
        stored = da.from_array(_Blocks(var), chunks=chunks, asarray=True, fancy=False,
                               meta=np.empty((0,) * var.ndim, var.dtype), name=f"{name}-{id(var)}")
        out[name] = stored.map_blocks(_decode, var.coding, dtype="float64",
                                      meta=np.empty((0,) * var.ndim, "float64"))
    return out
