"""Bad input: each case gives a clear message naming the problem, and nothing half-written.

Rule (see docs/ingest.md): a problem that makes the description wrong or impossible is an
error and nothing is written; an oddity that leaves a correct (if thinner) description is a
warning and the cube lands.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from ingest_helpers import write_nc, write_zarr3

from cubegraph.ingest.errors import CubeNotFound, CubeReadError, EmptyCube, ReaderNotFound
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.ontology.namespaces import CG
from rdflib import Literal


def failed(store, path, error_type, match):
    result = ingest_cube(store, path)
    assert result.status == "failed"
    assert isinstance(result.error, error_type), result.error
    assert pytest.approx(0) == 0
    import re

    assert re.search(match, str(result.error)), str(result.error)
    assert store.graphs() == []  # nothing written
    return result


def landed_with(store, path, code, match):
    result = ingest_cube(store, path)
    assert result.status == "ingested", result.error
    notes = [w for w in result.warnings if w.code == code]
    assert notes, [w.code for w in result.warnings]
    assert any(__import__("re").search(match, w.message) for w in notes), notes
    return result


def test_path_that_does_not_exist(store, tmp_path):
    failed(store, tmp_path / "missing.nc", CubeNotFound, r"'.*missing.nc' does not exist")


def test_file_that_is_not_a_cube(store, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a cube")
    failed(store, path, ReaderNotFound, r"no reader can open file '.*notes.txt'")


def test_nc_name_but_not_netcdf(store, tmp_path):
    path = tmp_path / "fake.nc"
    path.write_text("just text")
    failed(store, path, CubeReadError, r"'.*fake.nc' has a NetCDF name but is not a NetCDF file")


def test_zarr_store_with_corrupt_metadata(store, tmp_path):
    path = write_zarr3(tmp_path / "bad.zarr", {"v": (("x",), (3,), "float32", {"units": "1"})})
    (path / "v" / "zarr.json").write_text('{"shape": [3], ')
    failed(store, path, CubeReadError, r"metadata file 'v/zarr.json' is not valid JSON \(line 1")


def test_zarr_array_metadata_missing_fields(store, tmp_path):
    path = write_zarr3(tmp_path / "bad2.zarr", {"v": (("x",), (3,), "float32", {"units": "1"})})
    (path / "v" / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "array"}))
    failed(store, path, CubeReadError, r"array 'v' has unreadable metadata")


def test_variable_with_no_units_lands_with_a_note(store, tmp_path):
    """CF 1.11 section 3.1 makes units optional: the cube lands, without units, and the note
    says that a temperature needs them."""
    path = write_nc(tmp_path / "nounits.nc", var_attrs={"units": None})
    result = landed_with(store, path, "units-missing",
                         r"variable 't' has no units attribute, but its standard name "
                         r"'air_temperature' has canonical units 'K'")
    graph = store.graph(result.cube)
    variable = next(graph.subjects(CG.variableName, Literal("t")))
    assert graph.value(variable, CG.unitsString) is None  # never a made-up '1'
    assert graph.value(variable, CG.measures) is not None  # still what it measures



def test_unknown_standard_name(store, tmp_path):
    path = write_nc(tmp_path / "unknown.nc", var_attrs={"standard_name": "air_temperature_of_dragons"})
    landed_with(store, path, "unknown-standard-name",
                r"variable 't': standard_name 'air_temperature_of_dragons' is not in the CF standard name table")


def test_time_not_monotonic(store, tmp_path):
    path = write_nc(tmp_path / "nonmono.nc", time_values=(0.0, 2.0, 1.0))
    result = landed_with(store, path, "time-not-monotonic", r"time coordinate 'time' is not monotonic \(first break at index 2\)")
    graph = store.graph(result.cube)
    assert not list(graph.triples((result.cube, None, None))) == []


def test_missing_crs(store, tmp_path):
    path = write_nc(tmp_path / "nocrs.nc", with_crs=False)
    landed_with(store, path, "missing-crs", r"no grid mapping \(CRS\) variable")


def test_cube_with_zero_variables(store, tmp_path):
    import netCDF4

    path = tmp_path / "empty.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", 2)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 2020-01-01"
        t[:] = [0, 1]
    failed(store, path, EmptyCube, r"cube '.*empty.nc' has no data variables \(found \['time'\]")


def test_non_utf8_attribute(store, tmp_path):
    import netCDF4

    path = write_nc(tmp_path / "latin1.nc")
    with netCDF4.Dataset(path, "a") as ds:
        ds.setncattr("title", np.bytes_(b"Caf\xe9 cube"))
    landed_with(store, path, "non-utf8-attribute", r"global attribute 'title' is not valid UTF-8")


def test_a_batch_with_damaged_files_lands_every_good_cube(store, tmp_path):
    """A corrupt chunk, a file that cannot be opened and a broken link each fail alone, with
    one line naming the file; every good cube of the batch is catalogued (issue 13)."""
    from tests_support import write_example

    from cubegraph.ingest.pipeline import ingest_paths
    from cubegraph.kg.records.cube import described_cubes

    batch = tmp_path / "batch"
    batch.mkdir()
    write_nc(batch / "good.nc")
    write_example(batch / "good.zarr", "zarr3")
    write_example(batch / "corrupt.zarr", "zarr3")
    (batch / "corrupt.zarr" / "lat" / "c" / "0").write_bytes(b"not a zstd frame" * 4)
    (batch / "truncated.nc").write_bytes((batch / "good.nc").read_bytes()[:600])
    (batch / "gone.nc").symlink_to(tmp_path / "nowhere.nc")
    summary = ingest_paths(store, [batch, batch / "gone.nc"], progress=False)
    by_name = {r.path.name: r for r in summary.results}
    assert by_name["good.nc"].status == "ingested" and by_name["good.zarr"].status == "ingested"
    assert by_name["corrupt.zarr"].status == "failed"
    assert "chunk lat/c/0 cannot be read or decoded" in str(by_name["corrupt.zarr"].error)
    assert by_name["truncated.nc"].status == "failed" and "truncated.nc" in str(by_name["truncated.nc"].error)
    assert by_name["gone.nc"].status == "failed"
    assert summary.exit_code == 1
    assert described_cubes(store) == {by_name["good.nc"].cube, by_name["good.zarr"].cube}


@pytest.mark.parametrize("fmt", ["NETCDF4", "NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET",
                                 "NETCDF3_64BIT_DATA"])
def test_a_netcdf_file_cut_short_is_refused_by_its_own_header(store, tmp_path, fmt):
    import netCDF4

    from cubegraph.ingest.cubes.netcdf_length import declared_length

    path = tmp_path / "whole.nc"
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("time", None)
        ds.createDimension("lat", 30)
        ds.createDimension("lon", 30)
        t = ds.createVariable("time", "f8", ("time",))
        t.units, t.standard_name = "days since 2020-01-01", "time"
        for name, units in (("lat", "degrees_north"), ("lon", "degrees_east")):
            v = ds.createVariable(name, "f8", (name,))
            v.units, v.standard_name = units, {"lat": "latitude", "lon": "longitude"}[name]
            v[:] = np.linspace(0, 10, 30)
        for name in ("tas", "pr"):  # two record variables: records interleave them
            v = ds.createVariable(name, "f4", ("time", "lat", "lon"))
            v.units = "K"
            v[0:12] = np.random.default_rng(0).random((12, 30, 30)).astype("f4")
        t[:] = np.arange(12.0)
        static = ds.createVariable("static", "i2", ("lat", "lon"))
        static.units = "1"
        static[:] = np.ones((30, 30), "i2")
    data = path.read_bytes()
    assert declared_length(path) == len(data)
    from cubegraph.kg import open_store

    assert ingest_cube(open_store(None), path).status == "ingested"
    cut = tmp_path / "cut.nc"
    cut.write_bytes(data[: len(data) * 2 // 3])
    failed(store, cut, CubeReadError, r"is truncated: its header declares [\d,]+ bytes")


@pytest.mark.parametrize("fmt", ["NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF3_64BIT_DATA"])
@pytest.mark.parametrize("dtype, extra", [("i1", 3), ("i2", 3), ("i1", None)])
def test_a_lone_record_variable_of_odd_size_is_not_taken_for_truncation(tmp_path, fmt, dtype,
                                                                         extra):
    """Classic files do not pad the records of a lone record variable, nor the end of the
    data: neither is missing bytes (netCDF-C reads both)."""
    import netCDF4

    from cubegraph.ingest.cubes.netcdf_length import declared_length

    path = tmp_path / "lone.nc"
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("time", None)
        dims = ("time",)
        if extra:
            ds.createDimension("x", extra)
            dims += ("x",)
        v = ds.createVariable("v", dtype, dims)
        v.units = "1"
        v[0:9] = np.ones((9, extra) if extra else (9,), dtype)
    size = path.stat().st_size
    assert declared_length(path) <= size
    cut = tmp_path / "cut.nc"
    cut.write_bytes(path.read_bytes()[: declared_length(path) - 1])
    assert declared_length(cut) > cut.stat().st_size


def test_another_threads_reading_session_keeps_no_file_of_this_thread_open(tmp_path):
    """A file read outside a session is closed after the read, even while another thread
    keeps its own file open: this thread can then rewrite it (HDF5 refuses to write a file
    open in the same process)."""
    import threading

    from ingest_helpers import write_nc

    from cubegraph.ingest.cubes import open_cube, read_many
    from cubegraph.ingest.cubes.netcdf_files import keep_open

    mine, theirs = write_nc(tmp_path / "mine.nc"), write_nc(tmp_path / "theirs.nc")
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with keep_open():
            var = open_cube(theirs).variable("t")
            read_many({"t": var.selection(tuple(slice(None) for _ in var.dims),
                                          tuple(range(len(var.dims))))})
            inside.set()
            release.wait(30)

    t = threading.Thread(target=other)
    t.start()
    try:
        assert inside.wait(30)
        var = open_cube(mine).variable("t")
        read_many({"t": var.selection(tuple(slice(None) for _ in var.dims),
                                      tuple(range(len(var.dims))))})
        write_nc(mine)  # rewrite: the read above left nothing open
    finally:
        release.set()
        t.join(30)


def test_an_unforeseen_failure_fails_its_cube_alone_with_its_cause(store, tmp_path, monkeypatch):
    from cubegraph.ingest import pipeline

    good, odd = write_nc(tmp_path / "good.nc"), write_nc(tmp_path / "odd.nc")
    real = pipeline.interpret

    def interpret(raw):
        if raw.path.name == "odd.nc":
            raise TypeError("a bug met on the way")
        return real(raw)

    monkeypatch.setattr(pipeline, "interpret", interpret)
    summary = pipeline.ingest_paths(store, [good, odd], progress=False, workers=0)
    by_name = {r.path.name: r for r in summary.results}
    assert by_name["good.nc"].status == "ingested"
    error = by_name["odd.nc"].error
    assert by_name["odd.nc"].status == "failed" and isinstance(error, CubeReadError)
    assert "could not be described: TypeError: a bug met on the way" in str(error)
    assert isinstance(error.__cause__, TypeError)


@pytest.mark.parametrize("units", ["days since the flood", "3", "months since 2000-01-01"])
def test_undecodable_time_units_land_the_cube_without_a_period(store, tmp_path, units):
    """Raw time numbers are never written as dates (they failed validation and sank the
    cube): the cube lands with the axis' numbers, no period, and the note saying why."""
    from cubegraph.kg.records.cube import read_cubes

    path = write_nc(tmp_path / "odd_time.nc", time_units=units)
    result = ingest_cube(store, path)
    assert result.status == "ingested", result.error
    assert "time-undecodable" in {w.code for w in result.warnings}
    [cube] = read_cubes(store, str(result.cube))
    assert cube.start is None and cube.end is None
