"""A NetCDF-4 file with a valid HDF5 signature and damaged bytes after it: the error names
the file, says its HDF5 structure is damaged, and what was being read (issue 13).

netCDF-C says only "NetCDF: HDF error"; h5py (the same HDF5 structure, read again on the
error path) says which part failed and why. Real files, damaged at fixed offsets: the
superblock, the root group's header, a variable's header, a compressed chunk.
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import netCDF4
import numpy as np
import pytest
from ingest_helpers import write_nc
from tests_support import run_cli

from cubegraph.ingest.cubes import open_variable
from cubegraph.ingest.errors import CubeReadError
from cubegraph.ingest.pipeline import ingest_cube

DAMAGED = r"NetCDF-4 file '.*{name}' is damaged: its HDF5 structure cannot be read while "


def damaged_copy(source: Path, target: Path, at: int, length: int = 64) -> Path:
    data = bytearray(source.read_bytes())
    data[at:at + length] = np.random.default_rng(at).integers(0, 256, length, dtype=np.uint8).tobytes()
    target.write_bytes(bytes(data))
    return target


def object_header(path: Path, name: str) -> int:
    with h5py.File(path, "r") as f:
        return h5py.h5o.get_info(f[name].id).addr if name != "/" else h5py.h5o.get_info(f.id).addr


@pytest.fixture
def good(tmp_path) -> Path:
    return write_nc(tmp_path / "good.nc", time_values=np.arange(50.0))


@pytest.mark.parametrize("where, part, reason", [
    ("signature+1", r"its superblock \(the first bytes, which locate everything else\)",
     "bad superblock version number"),
    # not "truncated": the length the superblock declares is garbage, and its checksum says so
    ("superblock eof", r"its superblock \(.*\)", "incorrect metadata checksum"),
    ("root", r"the root group \(its header and list of variables\)", ""),
    ("lat", r"the header of variable 'lat'", "bad object header version number"),
])
def test_a_damaged_header_says_which_part(store, good, tmp_path, where, part, reason):
    at = {"signature+1": 8, "superblock eof": 16, "root": object_header(good, "/"),
          "lat": object_header(good, "lat")}[where]
    path = damaged_copy(good, tmp_path / "bad.nc", at, 16 if where == "superblock eof" else 64)
    result = ingest_cube(store, path)
    assert result.status == "failed" and isinstance(result.error, CubeReadError)
    message = str(result.error)
    assert re.search(DAMAGED.format(name="bad.nc") + "opening it: " + part + r" is unreadable \(HDF5: ",
                     message), message
    assert reason in message and "is truncated" not in message
    assert "fetch it again or restore a backup" in message
    assert store.graphs() == []


def test_garbage_after_the_signature_through_the_cli(good, tmp_path):
    path = tmp_path / "garbage.nc"
    path.write_bytes(good.read_bytes()[:8] + bytes(np.random.default_rng(1).integers(
        0, 256, good.stat().st_size - 8, dtype=np.uint8)))
    out = run_cli("--store", str(tmp_path / "store"), "ingest", str(path), cwd=tmp_path)
    assert out.returncode == 1
    assert re.search(DAMAGED.format(name="garbage.nc") + r"opening it: its superblock", out.stdout + out.stderr)
    assert "[Errno" not in out.stdout + out.stderr  # netCDF-C's errno and path, said once only


def test_a_file_cut_short_is_still_called_truncated(store, good, tmp_path):
    cut = tmp_path / "cut.nc"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = ingest_cube(store, cut)
    assert "is truncated: its header declares" in str(result.error)


@pytest.fixture
def compressed(tmp_path) -> Path:
    path = tmp_path / "z.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", 30)
        ds.createDimension("x", 4000)  # past SMALL_ARRAY: ingest reads no values of it
        t = ds.createVariable("time", "f8", ("time",))
        t.units, t.standard_name = "days since 2000-01-01", "time"
        t[:] = np.arange(30.0)
        v = ds.createVariable("tas", "f4", ("time", "x"), zlib=True, chunksizes=(10, 4000))
        v.units, v.standard_name = "K", "air_temperature"
        v[:] = np.random.default_rng(0).normal(280, 5, (30, 4000)).astype("f4")
    with h5py.File(path, "r") as f:
        info = f["tas"].id.get_chunk_info(1)  # time 10..19
    data = bytearray(path.read_bytes())
    data[info.byte_offset + 20:info.byte_offset + 80] = b"\0" * 60
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_chunk_names_the_variable_selection_and_chunk(store, compressed):
    var = open_variable(compressed, "tas")
    assert var.read((slice(0, 10), slice(None))).shape == (10, 4000)  # chunk 0 is sound
    with pytest.raises(CubeReadError) as caught:
        var.read((slice(12, 14), slice(None)))
    message = str(caught.value)
    assert re.search(DAMAGED.format(name="z.nc") + r"reading the values of variable 'tas' \[12:14, :\]: "
                     r"chunk 1\.0 at bytes \d+-\d+ is unreadable \(HDF5: filter returned failure "
                     r"during read; netCDF-C: NetCDF: HDF error\)", message), message
    # ingest only reads metadata: the cube lands; --stats reads the values and fails it
    first = ingest_cube(store, compressed)
    assert first.status == "ingested", str(first.error)
    result = ingest_cube(store, compressed, stats=True)
    assert result.status == "failed" and "chunk 1.0 at bytes" in str(result.error)
