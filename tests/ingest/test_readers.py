"""Readers: format detection, metadata-only reading, fingerprints."""

from __future__ import annotations

import time

import pytest
from ingest_helpers import write_nc, write_zarr3

from cubegraph.ingest.errors import CubeNotFound, ReaderNotFound
from cubegraph.ingest.fingerprint import fingerprint_zarr, list_zarr_store
from cubegraph.ingest.cubes import (
    NetCDFReader,
    ZarrReader,
    installed_readers,
    read_metadata,
    reader_for,
)


def test_installed_readers_are_zarr_and_netcdf():
    assert sorted(installed_readers()) == ["netcdf", "zarr"]


def test_reader_for_picks_by_format(tmp_path):
    nc = write_nc(tmp_path / "a.nc")
    store = write_zarr3(tmp_path / "b.zarr", {"v": (("x",), (3,), "float32", {"units": "1"})})
    assert isinstance(reader_for(nc), NetCDFReader)
    assert isinstance(reader_for(store), ZarrReader)


def test_reader_for_unknown_file_lists_installed_readers(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello")
    with pytest.raises(ReaderNotFound, match=r"no reader can open file '.*x.txt': installed readers are \['netcdf', 'zarr'\]"):
        reader_for(path)


def test_reader_for_missing_path(tmp_path):
    with pytest.raises(CubeNotFound, match="does not exist"):
        reader_for(tmp_path / "nope.nc")


def test_netcdf_metadata(tmp_path):
    meta = read_metadata(write_nc(tmp_path / "a.nc"))
    assert [v.name for v in meta.variables] == ["t"]
    var = meta.variables[0]
    assert (var.dims, var.shape, var.dtype, var.units) == (("time", "lat", "lon"), (3, 2, 3), "float32", "K")
    assert meta.time_start == "2020-01-01T00:00:00Z" and meta.time_end == "2020-01-03T00:00:00Z"
    assert meta.time_resolution == "P1D"
    assert meta.bbox == (20.0, 10.0, 22.0, 11.0)
    assert meta.crs == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def test_virtual_10tb_array_costs_the_same_as_a_small_one(tmp_path):
    # 10 TB of float32 that was never written: only metadata exists, reading it is instant.
    # (Unwritten chunks read as the store's fill value 0, which _FillValue makes missing.)
    arrays = {
        "big": (("time", "y", "x"), (100_000, 5_000, 5_000), "float32",
                {"units": "K", "standard_name": "air_temperature", "_FillValue": 0.0}),
    }
    store = write_zarr3(tmp_path / "big.zarr", arrays, {"title": "virtual"})
    start = time.perf_counter()
    meta = read_metadata(store)
    assert time.perf_counter() - start < 2.0
    assert meta.variables[0].shape == (100_000, 5_000, 5_000)
    assert meta.variables[0].all_fill
    assert any(w.code == "all-fill" for w in meta.warnings)


def test_unwritten_zarr3_chunks_of_a_value_are_not_missing(tmp_path):
    """A v3 store's fill value says what unwritten chunks hold; without a _FillValue naming
    it, that is data (xarray reads zeros), not missing values: no 'all-fill' note."""
    arrays = {"zeros": (("x",), (10_000_000,), "float32", {"units": "K"})}
    meta = read_metadata(write_zarr3(tmp_path / "z.zarr", arrays, {"title": "zeros"}))
    assert not meta.variables[0].all_fill
    assert "all-fill" not in {w.code for w in meta.warnings}


def test_zarr_fingerprint_sees_a_new_chunk_but_not_mtime(tmp_path):
    store = write_zarr3(tmp_path / "s.zarr", {"v": (("x",), (4,), "float32", {"units": "1"})})
    before, _ = fingerprint_zarr(list_zarr_store(store))
    (store / "zarr.json").touch()
    assert fingerprint_zarr(list_zarr_store(store))[0] == before
    (store / "v" / "c").mkdir()
    (store / "v" / "c" / "0").write_bytes(b"\0" * 16)
    assert fingerprint_zarr(list_zarr_store(store))[0] != before


def test_netcdf_fingerprint_ignores_location(tmp_path):
    a = write_nc(tmp_path / "a.nc")
    b = tmp_path / "copy.nc"
    b.write_bytes(a.read_bytes())
    assert read_metadata(a).fingerprint == read_metadata(b).fingerprint


@pytest.mark.parametrize("fill_value, attrs, all_fill", [
    ("0x7fc00000", {}, True),                      # a NaN fill, written as hex (zarr v3)
    (0, {"missing_value": [0.0, -9.0]}, True),     # a list of missing values holding 0
    (0, {"missing_value": [-9.0, -99.0]}, False),  # zeros are data
])
def test_unwritten_zarr3_chunks_read_as_the_store_fill_value(tmp_path, fill_value, attrs, all_fill):
    import json

    store = write_zarr3(tmp_path / "z.zarr", {"v": (("x",), (500_000,), "float32",
                                                    {"units": "K", **attrs})}, {"title": "f"})
    doc = json.loads((store / "v" / "zarr.json").read_text())
    doc["fill_value"] = fill_value
    (store / "v" / "zarr.json").write_text(json.dumps(doc))
    meta = read_metadata(store)
    assert meta.variables[0].all_fill is all_fill
