"""A cube's extents as CF 1.11 and ACDD state them (issue 13): longitudes taken on the circle,
a time axis given by an auxiliary coordinate, a time axis of fill values only, and the
ACDD ``time_coverage_*`` attributes when no coordinate gives dates.

Each case is a small NetCDF file written with netCDF4 and read by the real reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cubegraph.ingest.cubes import read_metadata
from cubegraph.ingest.cubes.longitudes import longitude_extent
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.kg.records.cube import read_cubes

GLOBAL = {"Conventions": "CF-1.11", "title": "extent test cube"}


def write(path: Path, dims: dict, variables: dict, attrs: dict | None = None) -> Path:
    """A NetCDF file: ``variables`` = name -> (dims, values, attrs); a ``_FillValue`` in the
    attributes is the variable's fill value, NaN values are written as fill."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as ds:
        ds.setncatts({**GLOBAL, **(attrs or {})})
        for name, size in dims.items():
            ds.createDimension(name, size)
        for name, (vdims, vals, vattrs) in variables.items():
            vattrs = dict(vattrs)
            fill = vattrs.pop("_FillValue", None)
            vals = np.asarray(vals, dtype="f8")
            var = ds.createVariable(name, "f4" if name == "v" else "f8", vdims, fill_value=fill)
            var.setncatts(vattrs)
            var[:] = np.ma.masked_invalid(vals) if fill is not None else vals
    return path


def lon_cube(path: Path, lon, *, lon_bounds=None, lat=(10.0, 11.0), dtype="f8") -> Path:
    """v(lat, lon) on 1-D latitude/longitude coordinates (longitude bounds optional)."""
    lon = np.asarray(lon, dtype=dtype).astype("f8")
    variables = {
        "lat": (("lat",), lat, {"standard_name": "latitude", "units": "degrees_north"}),
        "lon": (("lon",), lon, {"standard_name": "longitude", "units": "degrees_east"}),
        "v": (("lat", "lon"), np.zeros((len(lat), lon.size)),
              {"standard_name": "air_temperature", "units": "K"}),
    }
    dims = {"lat": len(lat), "lon": lon.size}
    if lon_bounds is not None:
        dims["nv"] = 2
        variables["lon"][2]["bounds"] = "lon_bnds"
        variables["lon_bnds"] = (("lon", "nv"), lon_bounds, {})
    return write(path, dims, variables)


def bbox(path: Path):
    return read_metadata(path).bbox


# --- longitudes on the circle -------------------------------------------------------------

def test_a_global_0_360_grid_is_the_whole_globe(tmp_path):
    """0 .. 359.17 by 0.83: the cells close the circle (it was 0..-0.83, west > east)."""
    lon = np.linspace(0.0, 360.0, 433)[:-1]
    assert bbox(lon_cube(tmp_path / "g.nc", lon)) == (-180.0, 10.0, 180.0, 11.0)
    # as float32, whose steps differ in their rounding
    assert bbox(lon_cube(tmp_path / "g32.nc", lon, dtype="f4")) == (-180.0, 10.0, 180.0, 11.0)
    # the same grid in -180..180
    assert bbox(lon_cube(tmp_path / "g180.nc", lon - 180.0)) == (-180.0, 10.0, 180.0, 11.0)


def test_a_grid_missing_a_column_is_not_the_globe(tmp_path):
    lon = np.delete(np.arange(0.0, 360.0, 1.0), 100)  # no 100°E
    # the widest gap (99..101) is left out: the box runs east from 101 round to 99
    assert bbox(lon_cube(tmp_path / "g.nc", lon)) == (101.0, 10.0, 99.0, 11.0)


@pytest.mark.parametrize("lon", [
    np.r_[np.arange(325.5, 360.0, 1.0), np.arange(0.5, 31.0, 1.0)],  # 0..360, rolled at 0
    np.arange(325.5, 391.0, 1.0),  # 0..360 continued past 360
    np.arange(-34.5, 31.0, 1.0),  # -180..180
])
def test_a_box_across_the_prime_meridian_is_the_same_in_both_conventions(tmp_path, lon):
    """It was stored as its complement (0.5 .. -0.5 across the antimeridian)."""
    assert bbox(lon_cube(tmp_path / "pm.nc", lon)) == (-34.5, 10.0, 30.5, 11.0)


@pytest.mark.parametrize("lon", [
    np.r_[np.arange(170.5, 180.0, 1.0), np.arange(-179.5, -170.0, 1.0)],  # -180..180
    np.arange(170.5, 190.0, 1.0),  # 0..360
])
def test_a_box_across_the_antimeridian_is_the_same_in_both_conventions(tmp_path, lon):
    """West > east; in -180..180 it was the whole globe (min..max)."""
    assert bbox(lon_cube(tmp_path / "am.nc", lon)) == (170.5, 10.0, -170.5, 11.0)


def test_cell_bounds_across_the_prime_meridian(tmp_path):
    lon = np.r_[np.arange(325.5, 360.0, 1.0), np.arange(0.5, 31.0, 1.0)]
    bounds = np.stack([lon - 0.5, lon + 0.5], axis=1)  # 359..360 then 0..1: they touch
    assert bbox(lon_cube(tmp_path / "b.nc", lon, lon_bounds=bounds)) == (-35.0, 10.0, 31.0, 11.0)


def test_cell_bounds_of_a_global_grid_are_the_globe(tmp_path):
    lon = np.arange(0.5, 360.0, 1.0)
    bounds = np.stack([lon - 0.5, lon + 0.5], axis=1)
    assert bbox(lon_cube(tmp_path / "b.nc", lon, lon_bounds=bounds)) == (-180.0, 10.0, 180.0, 11.0)


def test_a_regional_grid_keeps_the_span_of_its_points(tmp_path):
    """Not widened by half a cell: a regional box is the span of its points, as before."""
    assert bbox(lon_cube(tmp_path / "r.nc", [20.0, 21.0, 22.0])) == (20.0, 10.0, 22.0, 11.0)
    assert bbox(lon_cube(tmp_path / "r360.nc", np.arange(225.0, 316.0, 1.875))) == \
        (-135.0, 10.0, -45.0, 11.0)
    # a box ending at the antimeridian ends at 180, not -180
    assert bbox(lon_cube(tmp_path / "r180.nc", np.arange(170.0, 181.0, 1.0))) == \
        (170.0, 10.0, 180.0, 11.0)


def test_latitudes_are_never_widened_past_the_poles(tmp_path):
    lat = np.linspace(-90.0, 90.0, 7)
    assert bbox(lon_cube(tmp_path / "p.nc", np.arange(0.0, 360.0, 30.0), lat=lat)) == \
        (-180.0, -90.0, 180.0, 90.0)


def test_a_curvilinear_grid_across_the_antimeridian(tmp_path):
    """2-D auxiliary longitudes in 0..360: their points, not widened, on the circle."""
    lon = np.array([[175.0, 180.0, 185.0], [176.0, 181.0, 186.0]])
    lat = np.array([[50.0, 50.5, 51.0], [51.0, 51.5, 52.0]])
    path = write(tmp_path / "c.nc", {"y": 2, "x": 3}, {
        "lat": (("y", "x"), lat, {"standard_name": "latitude", "units": "degrees_north"}),
        "lon": (("y", "x"), lon, {"standard_name": "longitude", "units": "degrees_east"}),
        "v": (("y", "x"), np.zeros((2, 3)), {"standard_name": "air_temperature", "units": "K",
                                             "coordinates": "lat lon"}),
    })
    assert bbox(path) == (175.0, 50.0, -174.0, 52.0)
    # the same grid in -180..180
    path = write(tmp_path / "c180.nc", {"y": 2, "x": 3}, {
        "lat": (("y", "x"), lat, {"standard_name": "latitude", "units": "degrees_north"}),
        "lon": (("y", "x"), np.where(lon >= 180, lon - 360, lon),
                {"standard_name": "longitude", "units": "degrees_east"}),
        "v": (("y", "x"), np.zeros((2, 3)), {"standard_name": "air_temperature", "units": "K",
                                             "coordinates": "lat lon"}),
    })
    assert bbox(path) == (175.0, 50.0, -174.0, 52.0)


@pytest.mark.parametrize("west, width", [(-34.5, 65.0), (170.5, 19.0), (-180.0, 90.0),
                                         (100.0, 200.0), (0.0, 10.0), (-90.0, 180.0)])
def test_the_same_area_gives_the_same_box_in_either_convention(west, width):
    points = west + np.arange(0.0, width + 1e-9, 0.5)
    box = longitude_extent(points, step=0.5)
    assert longitude_extent(points % 360.0, step=0.5) == box  # 0..360
    assert longitude_extent((points + 180.0) % 360.0 - 180.0, step=0.5) == box  # -180..180
    expected_east = (west + width + 180.0) % 360.0 - 180.0
    assert box == (west, expected_east if expected_east != -180.0 else 180.0)


def test_a_cell_polygon_straddling_the_antimeridian_is_its_shorter_arc():
    cells = np.array([[179.5, -179.5, -179.5, 179.5], [178.5, 179.5, 179.5, 178.5]])
    assert longitude_extent(cells, cells=True) == (178.5, -179.5)


def test_a_bbox_across_the_prime_meridian_lands_in_the_store(store, tmp_path):
    lon = np.r_[np.arange(325.5, 360.0, 1.0), np.arange(0.5, 31.0, 1.0)]
    result = ingest_cube(store, lon_cube(tmp_path / "pm.nc", lon))
    assert result.status == "ingested", result.error
    [cube] = read_cubes(store, str(result.cube))
    assert cube.bbox == (-34.5, 10.0, 30.5, 11.0)


# --- time from an auxiliary coordinate ------------------------------------------------------

def nemo_like(path: Path, attrs: dict | None = None) -> Path:
    """NEMO's layout: no time_counter coordinate variable; time_centered(time_counter) is
    named by the data variable's ``coordinates``, in seconds of a 360-day calendar."""
    seconds = (np.arange(12) * 30 + 15) * 86400.0  # the 16th of each month
    return write(path, {"time_counter": 12, "y": 2, "x": 2}, {
        "time_centered": (("time_counter",), seconds, {
            "standard_name": "time", "long_name": "Time axis",
            "units": "seconds since 1900-01-01 00:00:00", "calendar": "360_day"}),
        "nav_lat": (("y", "x"), [[40.0, 40.0], [41.0, 41.0]],
                    {"standard_name": "latitude", "units": "degrees_north"}),
        "nav_lon": (("y", "x"), [[5.0, 6.0], [5.0, 6.0]],
                    {"standard_name": "longitude", "units": "degrees_east"}),
        "v": (("time_counter", "y", "x"), np.zeros((12, 2, 2)), {
            "standard_name": "sea_surface_temperature", "units": "K",
            "coordinates": "time_centered nav_lat nav_lon"}),
    }, attrs)


def test_a_time_axis_given_by_an_auxiliary_coordinate(tmp_path):
    meta = read_metadata(nemo_like(tmp_path / "nemo.nc"))
    assert (meta.time_start, meta.time_end, meta.time_resolution) == \
        ("1900-01-16T00:00:00Z", "1900-12-16T00:00:00Z", "P1M")
    [dim] = [d for d in meta.dimensions if d.name == "time_counter"]
    assert (dim.axis, dim.minimum, dim.maximum, dim.duration) == \
        ("T", "1900-01-16T00:00:00Z", "1900-12-16T00:00:00Z", "P1M")
    assert (dim.units, dim.calendar, dim.has_coordinate) == \
        ("seconds since 1900-01-01 00:00:00", "360_day", False)
    [note] = [w for w in meta.warnings if w.code == "time-from-auxiliary"]
    assert note.variable == "time_counter" and "'time_centered'" in note.message
    assert "no-time-dimension" not in {w.code for w in meta.warnings}
    assert meta.bbox == (5.0, 40.0, 6.0, 41.0)


def test_a_cube_dated_by_an_auxiliary_time_lands_with_its_period(store, tmp_path):
    result = ingest_cube(store, nemo_like(tmp_path / "nemo.nc"))
    assert result.status == "ingested", result.error
    [cube] = read_cubes(store, str(result.cube))
    assert (cube.start_text, cube.end_text) == ("1900-01-16T00:00:00Z", "1900-12-16T00:00:00Z")


# --- a time axis of fill values only; the ACDD attributes -----------------------------------

def time_cube(path: Path, time_values, units="days since 2020-01-01", attrs=None) -> Path:
    """v(time) with a time coordinate whose missing values are fill values."""
    return write(path, {"time": len(time_values)}, {
        "time": (("time",), time_values,
                 {"standard_name": "time", "units": units, "_FillValue": -9999.0}),
        "v": (("time",), np.zeros(len(time_values)),
              {"standard_name": "air_temperature", "units": "K"}),
    }, attrs)


def codes(meta) -> set[str]:
    return {w.code for w in meta.warnings}


def test_a_time_axis_of_fill_values_only_says_so(tmp_path):
    """Not 'time-undecodable': its units are fine, no time was written."""
    meta = read_metadata(time_cube(tmp_path / "fill.nc", [np.nan, np.nan]))
    [note] = [w for w in meta.warnings if w.code == "time-all-fill"]
    assert note.variable == "time" and "only fill values" in note.message
    assert "time-undecodable" not in codes(meta)
    assert meta.time_start is None and "time-from-acdd" not in codes(meta)


ACDD = {"time_coverage_start": "2020-01-01T00:00:00Z", "time_coverage_end": "2020-12-31"}


@pytest.mark.parametrize("case", ["all-fill", "undecodable units", "no time at all"])
def test_acdd_time_coverage_dates_a_cube_whose_coordinate_gives_no_dates(tmp_path, case):
    path = tmp_path / "acdd.nc"
    if case == "all-fill":
        time_cube(path, [np.nan, np.nan], attrs=ACDD)
    elif case == "undecodable units":
        time_cube(path, [0.0, 1.0], units="days since the flood", attrs=ACDD)
    else:
        write(path, {"x": 2}, {"v": (("x",), [1.0, 2.0],
                                     {"standard_name": "air_temperature", "units": "K"})}, ACDD)
    meta = read_metadata(path)
    assert (meta.time_start, meta.time_end) == ("2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")
    [note] = [w for w in meta.warnings if w.code == "time-from-acdd"]
    assert "time_coverage_start" in note.message and "not from coordinate values" in note.message


@pytest.mark.parametrize("attrs, expected", [
    ({"time_coverage_start": "2020-01-01T02:00:00+02:00",
      "time_coverage_end": "2020-06-30T18:30:00-05:30"},
     ("2020-01-01T00:00:00Z", "2020-07-01T00:00:00Z")),
    ({"time_coverage_start": "2019-01-31", "time_coverage_duration": "P1M"},
     ("2019-01-31T00:00:00Z", "2019-02-28T00:00:00Z")),
    ({"time_coverage_end": "2020-01-02T00:00:00Z", "time_coverage_duration": "PT36H"},
     ("2019-12-31T12:00:00Z", "2020-01-02T00:00:00Z")),
])
def test_acdd_offsets_and_durations(tmp_path, attrs, expected):
    meta = read_metadata(time_cube(tmp_path / "acdd.nc", [np.nan], attrs=attrs))
    assert (meta.time_start, meta.time_end) == expected
    assert "time-from-acdd" in codes(meta)


@pytest.mark.parametrize("attrs", [
    {"time_coverage_start": "2021-01-01", "time_coverage_end": "2020-01-01"},  # backwards
    {"time_coverage_start": "2020", "time_coverage_end": "2021"},  # reduced: not guessed
    {"time_coverage_start": "last spring", "time_coverage_end": "2020-01-01"},
    {"time_coverage_start": "2020-01-01"},  # no end, no duration
])
def test_acdd_attributes_that_give_no_period_are_reported_not_used(tmp_path, attrs):
    meta = read_metadata(time_cube(tmp_path / "acdd.nc", [np.nan], attrs=attrs))
    assert meta.time_start is None and meta.time_end is None
    assert "time-coverage-invalid" in codes(meta) and "time-from-acdd" not in codes(meta)


def test_dates_of_the_coordinate_win_over_the_acdd_attributes(tmp_path):
    meta = read_metadata(time_cube(tmp_path / "t.nc", [0.0, 1.0], attrs=ACDD))
    assert (meta.time_start, meta.time_end) == ("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z")
    assert not {"time-from-acdd", "time-coverage-invalid"} & codes(meta)


def test_a_cube_dated_by_acdd_lands_with_its_period(store, tmp_path):
    result = ingest_cube(store, time_cube(tmp_path / "acdd.nc", [np.nan, np.nan], attrs=ACDD))
    assert result.status == "ingested", result.error
    assert {"time-all-fill", "time-from-acdd"} <= {w.code for w in result.warnings}
    [cube] = read_cubes(store, str(result.cube))
    assert (cube.start_text, cube.end_text) == ("2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")


def test_ml_reads_the_times_ingest_dated_the_cube_by(tmp_path):
    """The reader jobs use finds the same auxiliary time axis: a period the catalogue
    states is a period a job can select."""
    from cubegraph.ingest.cubes.variable import open_cube

    cube = open_cube(nemo_like(tmp_path / "nemo.nc"))
    times = cube.variable("v").coords["time_counter"]
    assert len(times) == 12
    assert (times[0].year, times[0].month, times[0].day) == (1900, 1, 16)
    assert (times[-1].month, times[-1].day) == (12, 16)
    assert "time_counter" in cube.variable("v").coords and cube.coordinate("y") is None


@pytest.mark.parametrize("resolution, expected", [("P1D", "P1D"), ("PT6H", "PT6H"),
                                                  ("daily", None), ("P", None), (" P1M ", "P1M")])
def test_acdd_time_coverage_resolution_is_the_step_when_iso_8601(tmp_path, resolution, expected):
    meta = read_metadata(time_cube(tmp_path / "r.nc", [np.nan, np.nan],
                                   attrs={**ACDD, "time_coverage_resolution": resolution}))
    assert meta.time_start == "2020-01-01T00:00:00Z"
    assert meta.time_resolution == expected
    [note] = [w for w in meta.warnings if w.code == "time-from-acdd"]
    assert ("time_coverage_resolution" in note.message) == (expected is not None)
