"""Per-variable statistics (min, max, mean, fraction missing), computed chunk by chunk.

Only with ``stats=True``: this is the one ingest step whose cost grows with the data. The
cube's variables come as decoded dask views from the cube layer
(:func:`~cubegraph.ingest.cubes.dask_variables`: one dask chunk per storage chunk), every
variable's reductions go into a single ``dask.compute`` so each chunk is read once, and a
tqdm bar counts the finished tasks.
"""

from __future__ import annotations

import warnings as _pywarnings
from contextlib import nullcontext

import numpy as np

from cubegraph.ingest.cubes import dask_variables
from cubegraph.ingest.cubes.netcdf_files import keep_open
from cubegraph.ingest.errors import CubeReadError, IngestError
from cubegraph.kg.records.cube_metadata import CubeMetadata, VariableStats

__all__ = ["compute_stats"]


def compute_stats(meta: CubeMetadata, *, progress: bool = True) -> CubeMetadata:
    """Add :class:`VariableStats` to every numeric variable of ``meta`` (in place).

    Fill values count as missing (CF masking is applied); times are not decoded.

    Args:
        meta: a cube read by a reader.
        progress: show a tqdm bar over the dask tasks.

    Returns:
        ``meta``.

    Raises:
        CubeReadError: when the data cannot be read (a missing or corrupt chunk).
    """
    import dask
    import dask.array as da

    numeric = [v.name for v in meta.variables if v.dtype not in ("str", "bool")]
    try:
        arrays = dask_variables(meta.path, numeric)
    except IngestError as exc:
        raise CubeReadError(f"cube '{meta.path}': cannot open its data for statistics: {exc}") from exc
    tasks = {}
    for name, arr in arrays.items():
        missing = da.isnan(arr)
        tasks[name] = (da.nanmin(arr), da.nanmax(arr), da.nanmean(arr), missing.mean())
    if not tasks:
        return meta
    # netCDF-C reads one at a time anyway (NETCDF_LOCK): a NetCDF file is read in this
    # thread, in one session that opens it once (opening it per chunk costs N^2 in its
    # variables); zarr chunks decompress on every core.
    netcdf = meta.format == "netcdf"
    scheduler = "synchronous" if netcdf else "threads"
    try:
        with _pywarnings.catch_warnings(), (keep_open() if netcdf else nullcontext()):
            _pywarnings.simplefilter("ignore")  # all-NaN slices are expected
            if progress:
                from tqdm.dask import TqdmCallback

                with TqdmCallback(desc=f"stats {meta.path.name}", leave=False):
                    (results,) = dask.compute(tasks, scheduler=scheduler)
            else:
                (results,) = dask.compute(tasks, scheduler=scheduler)
    except Exception as exc:  # noqa: BLE001
        raise CubeReadError(f"cube '{meta.path}': reading its data failed: {exc}") from exc
    for var in meta.variables:
        if var.name not in results:
            continue
        lo, hi, mean, missing = (float(x) for x in results[var.name])
        finite = lambda x: x if np.isfinite(x) else None  # noqa: E731
        var.stats = VariableStats(finite(lo), finite(hi), finite(mean), missing)
        if missing >= 1.0 and not var.all_fill:
            var.all_fill = True
            meta.warn(
                "all-fill",
                f"variable {var.name!r} holds only fill values (no data was ever written)",
                var.name,
            )
    return meta
