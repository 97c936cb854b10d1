"""Reading many variables' data at once, on zarr's event loop.

:func:`read_many` runs many :class:`~cubegraph.ingest.cubes.variable.VariableRead` s: zarr decompresses chunks in worker threads, and
gathering every array's reads in one event loop keeps those threads busy across arrays (one
array has few chunks); each array is CF-decoded in a worker thread as soon as it arrives
(numpy releases the GIL) while others are still decompressing. NetCDF reads run one at a
time in the calling thread (the netCDF-C library is not thread-safe).
"""

from __future__ import annotations

import asyncio
from typing import Hashable, Mapping

import numpy as np

from cubegraph.ingest.cubes.netcdf_files import keep_open
from cubegraph.ingest.cubes.variable import VariableRead

__all__ = ["read_many"]


def read_many(reads: Mapping[Hashable, VariableRead]) -> dict[Hashable, np.ndarray]:
    """:meth:`VariableRead.read` of every read, the concurrent ones all at once.

    The values (and each read's ``finite``) are those of :meth:`VariableRead.read`.

    Raises:
        CubeReadError: naming the first variable whose data cannot be read.

    Speed seam: bypasses reading the arrays one after the other with
    :meth:`VariableRead.read`; ``tests/ml/test_dataset.py::test_direct_zarr_read_decodes_exactly_as_xarray``
    holds every array (and its ``finite`` flag) equal to its own read (figure:
    docs/benchmarks.md).
    """
    out: dict[Hashable, np.ndarray] = {}
    together = {k: r for k, r in reads.items() if r.variable.source.concurrent}
    with keep_open():  # a NetCDF file is opened once for all its variables
        for key, r in reads.items():
            if key not in together:
                out[key] = r.read()
    if together:
        from zarr.core.sync import sync

        for r in together.values():
            try:
                r.variable.source.prepare()
            except Exception as exc:  # noqa: BLE001
                raise r.read_error(exc) from exc

        async def one(r: VariableRead) -> np.ndarray:
            try:
                raw = await r.variable.source.aread(r.selection)
            except Exception as exc:  # noqa: BLE001
                raise r.read_error(exc) from exc
            return await asyncio.to_thread(r.decode, raw)

        async def every() -> list[np.ndarray]:
            return await asyncio.gather(*(one(r) for r in together.values()))

        out.update(zip(together, sync(every())))
    return {k: out[k] for k in reads}
