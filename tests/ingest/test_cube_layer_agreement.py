"""What ingest records about a cube is what ml reads from it: on every demo cube and real file.

For each data variable, the catalogue (``read_metadata``, ``compute_stats``) and the data
path (``open_variable``, as ml's datasets read) must agree on the CRS, the first and last
decoded time, the latitude/longitude ranges behind the bounding box, the units, and which
cells are missing. Real files (written by others) come from ``CUBEGRAPH_REAL_DATA``, else
``../shared/data/real`` beside the repository.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from tests_support import REAL_DATA

from cubegraph.ingest.cubes import open_cube, read_metadata
from cubegraph.ingest.cubes.axes import values as ingest_values
from cubegraph.ingest.cubes.classify import is_lat, is_lon
from cubegraph.ingest.cubes.longitudes import longitude_range
from cubegraph.ingest.cubes.registry import reader_for
from cubegraph.ingest.cubes.times import iso
from cubegraph.ingest.stats import compute_stats

DEMO = ["africa_drought_minicube_01.zarr", "africa_drought_minicube_02.zarr",
        "africa_drought_minicube_03.zarr", "brazil_tourism_daily.nc", "greece_fire_daily.zarr",
        "insar_unrest_stack.zarr"]
CUBE_SUFFIXES = (".nc", ".zarr", ".zarr2", ".zarr3")
REAL = sorted(p.name for p in REAL_DATA.iterdir() if p.suffix in CUBE_SUFFIXES) \
    if REAL_DATA.is_dir() else []
#: Arrays larger than this are compared cell by cell on a leading slab only.
MAX_CELLS = 2_000_000


def _iso(t) -> str | None:
    """ISO 8601 (seconds, UTC) of a decoded time: datetime64 or a cftime date."""
    if isinstance(t, np.datetime64):
        return None if np.isnat(t) else str(np.datetime_as_string(t, unit="s")) + "Z"
    if isinstance(t, (float, np.number)):
        return None  # not decoded: the units give no dates
    return iso(t)


def assert_agree(path: Path) -> None:
    meta = compute_stats(read_metadata(path), progress=False)
    raw = reader_for(path).read_raw(path)  # what the description decoded
    cube = open_cube(path)  # what ml reads
    assert sorted(cube.data_variables) == sorted(v.name for v in meta.variables)
    tdims = {d.name for d in meta.dimensions if d.axis == "T"}
    for v in meta.variables:
        var = cube.variable(v.name)
        where = f"{path.name}:{v.name}"
        assert var.crs == meta.crs, where
        assert (var.dims, var.shape, var.attrs.get("units")) == (v.dims, v.shape, v.units), where
        # Time: the first/last decoded time ml aligns on is the catalogued extent.
        for d in tdims & set(var.dims):
            times = [s for s in map(_iso, np.ravel(var.coords.get(d, []))) if s is not None]
            if meta.time_start is None:
                assert times == [], where  # undecodable for both
            else:
                assert (min(times), max(times)) == (meta.time_start, meta.time_end), where
        # Space: the bounding box comes from these coordinates (or their cell bounds).
        if meta.bbox is not None:
            west, south, east, north = meta.bbox
            for d in var.dims:
                arr = raw.arrays.get(d)
                if arr is None or arr.dims != (d,) or d not in var.coords \
                        or not (is_lat(arr) or is_lon(arr)):
                    continue
                c = np.asarray(var.coords[d], dtype="float64")
                c = c[np.isfinite(c)]
                bounds = arr.attrs.get("bounds")
                edges = ingest_values(raw.arrays[bounds]) if bounds in raw.arrays else c
                edges = edges[np.isfinite(edges)]
                if is_lat(arr):
                    assert (edges.min(), edges.max()) == (south, north), where
                    assert south <= c.min() and c.max() <= north, where
                elif is_lon(arr):
                    assert longitude_range(float(edges.min()), float(edges.max())) == (west, east), where
        # Missing cells: the same cells are NaN for the description and for ml.
        if var.dtype.kind not in "fiub":
            continue
        lead = max(1, MAX_CELLS // max(1, math.prod(var.shape[1:]))) if var.shape else None
        selection = (slice(0, lead),) + (slice(None),) * (var.ndim - 1) if var.shape else ()
        got = var.read(selection)
        assert got.dtype == np.float32, where
        if raw.arrays[v.name].size <= MAX_CELLS:
            described = ingest_values(raw.arrays[v.name])
            assert np.array_equal(np.isnan(described), np.isnan(got)), where
        if v.stats is not None and got.size == math.prod(var.shape):
            assert v.stats.missing_fraction == pytest.approx(float(np.isnan(got).mean())), where
        if v.all_fill:
            assert not np.isfinite(got).any(), where


@pytest.mark.parametrize("name", DEMO)
def test_demo_cubes_read_as_described(demo_dir, name):
    assert_agree(demo_dir / name)


@pytest.mark.skipif(not REAL, reason=f"no real files at {REAL_DATA} (set CUBEGRAPH_REAL_DATA)")
@pytest.mark.parametrize("name", REAL or ["none"])
def test_real_files_read_as_described(name):
    assert_agree(REAL_DATA / name)


def test_every_demo_cube_is_compared(demo_dir):
    assert sorted(p.name for p in demo_dir.iterdir() if p.suffix in CUBE_SUFFIXES) == DEMO
