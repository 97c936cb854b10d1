"""Ingest time against the number of variables in one file, NetCDF and zarr side by side.

For 100, 300 and 1,000 variables (``--counts``), one NetCDF-4 file and one zarr v3 store
with the same variables (10 x 4 x 4 float32 each, CF coordinates), each catalogued with
``ingest_cube`` into a fresh in-memory store (read, describe, SHACL, write; content
digests on, the default). Formats alternate, ``--repeats`` times; the median is reported
with the time per variable. Target (issue 13): time per file grows linearly with the
variables: the time per variable stays within 2x from the smallest count to the largest.

Run: ``.venv/bin/python bench/bench_variables.py [--counts 100 300 1000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_netcdf(path: Path, n: int) -> None:
    import netCDF4

    with netCDF4.Dataset(path, "w") as ds:
        _fill(ds, n)


def _fill(ds, n: int) -> None:
    ds.Conventions = "CF-1.8"
    ds.title = f"{n} variables"
    for name, size in (("time", 10), ("lat", 4), ("lon", 4)):
        ds.createDimension(name, size)
    t = ds.createVariable("time", "f8", ("time",))
    t.units, t.standard_name, t.axis = "days since 2020-01-01", "time", "T"
    t[:] = np.arange(10.0)
    for name, units in (("lat", "degrees_north"), ("lon", "degrees_east")):
        v = ds.createVariable(name, "f8", (name,))
        v.units, v.standard_name = units, {"lat": "latitude", "lon": "longitude"}[name]
        v[:] = np.arange(4.0) + (30 if name == "lat" else 10)
    for i in range(n):
        v = ds.createVariable(f"v{i:04d}", "f4", ("time", "lat", "lon"))
        v.units, v.long_name = "K", f"variable {i}"
        v[:] = np.full((10, 4, 4), i, "f4")


def write_zarr(path: Path, n: int) -> None:
    import xarray as xr

    data = {f"v{i:04d}": (("time", "lat", "lon"), np.full((10, 4, 4), i, "f4"),
                          {"units": "K", "long_name": f"variable {i}"}) for i in range(n)}
    ds = xr.Dataset(data, coords={
        "time": ("time", np.arange(10.0), {"units": "days since 2020-01-01",
                                           "standard_name": "time", "axis": "T"}),
        "lat": ("lat", np.arange(4.0) + 30, {"units": "degrees_north", "standard_name": "latitude"}),
        "lon": ("lon", np.arange(4.0) + 10, {"units": "degrees_east", "standard_name": "longitude"}),
    }, attrs={"Conventions": "CF-1.8", "title": f"{n} variables"})
    ds.to_zarr(path, zarr_format=3, consolidated=True, mode="w")


def catalog_once(path: Path) -> float:
    from cubegraph.ingest.pipeline import ingest_cube
    from cubegraph.kg import open_store
    from cubegraph.kg.bootstrap import init_store

    store = open_store(None)
    init_store(store)
    t = time.perf_counter()
    result = ingest_cube(store, path)
    took = time.perf_counter() - t
    assert result.status == "ingested", result.error
    store.close()
    return took


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.counts:
            paths = {"netcdf": Path(tmp) / f"v{n}.nc", "zarr": Path(tmp) / f"v{n}.zarr"}
            write_netcdf(paths["netcdf"], n)
            write_zarr(paths["zarr"], n)
            times: dict[str, list[float]] = {"netcdf": [], "zarr": []}
            for r in range(args.repeats):
                for fmt in (("netcdf", "zarr") if r % 2 == 0 else ("zarr", "netcdf")):
                    times[fmt].append(catalog_once(paths[fmt]))
            for fmt, values in times.items():
                rows.append((n, fmt, statistics.median(values), min(values), max(values)))
    print(f"| variables | format | seconds: median (range) | ms per variable |")
    print("|---|---|---|---|")
    for n, fmt, med, lo, hi in rows:
        print(f"| {n:,} | {fmt} | {med:.2f} ({lo:.2f}-{hi:.2f}) | {1000 * med / n:.2f} |")
    ok = True
    for fmt in ("netcdf", "zarr"):
        per = [med / n for n, f, med, _, _ in rows if f == fmt]
        ratio = max(per) / min(per)
        ok &= ratio <= 2.0
        print(f"\n{fmt}: time per variable, largest / smallest over the counts: {ratio:.2f}x "
              f"(target <= 2x: {'met' if ratio <= 2 else 'missed'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
