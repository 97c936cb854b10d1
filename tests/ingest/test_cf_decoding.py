"""The one CF decoder and CRS detector of the cube layer, on cubes written to disk.

Values are checked against their definition (CF 2.5.1, 8.1) and, where xarray reads the
same file, against xarray's decoded values bit for bit: ml's datasets must stay what they
were when they were read through xarray.
"""

from __future__ import annotations

import base64

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from cubegraph.ingest.cubes import (
    CRS84,
    coding_of,
    crs_label,
    decode_fill,
    normalise_crs,
    open_cube,
    open_variable,
    read_metadata,
    same_crs,
)
from cubegraph.ingest.cubes.axes import values as ingest_values
from cubegraph.ingest.cubes.registry import reader_for
from cubegraph.ingest.cubes.times import (
    date_on_axis,
    days_of_year,
    iso,
    months_of,
    period_slice,
    years_of,
)

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
UTM33_WKT = ('PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",'
             '6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
             'PROJECTION["Transverse_Mercator"],UNIT["metre",1],AUTHORITY["EPSG","32633"]]')
WGS84_WKT_NO_CODE = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
                     'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')


def write_nc(path, variables, *, global_attrs=None, fmt="NETCDF4", dims=None):
    """``variables`` = name -> (dims, dtype, values, attrs); ``_FillValue`` at creation."""
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.setncatts(global_attrs or {})
        for name, size in (dims or {"x": 6}).items():
            ds.createDimension(name, size)
        for name, (vdims, dtype, vals, attrs) in variables.items():
            attrs = dict(attrs)
            v = ds.createVariable(name, dtype, vdims, fill_value=attrs.pop("_FillValue", None))
            v.set_auto_maskandscale(False)
            v.setncatts(attrs)
            if vals is not None:
                v[...] = vals
    return path


# --- fill values ---------------------------------------------------------------------------

def test_zarr_fill_values_in_every_spelling():
    f4, i2 = np.dtype("float32"), np.dtype("int16")
    assert np.isnan(decode_fill("AAAAAAAA+H8=", f4))  # xarray: a float32 array's float64 NaN
    assert decode_fill(base64.b64encode(np.float32(-999).tobytes()).decode(), f4) == -999.0
    assert decode_fill(base64.b64encode(np.int16(-32768).tobytes()).decode(), i2) == -32768
    assert np.isnan(decode_fill("NaN", f4)) and decode_fill("-Infinity", f4) == -np.inf
    assert decode_fill(-32768, i2) == -32768 and decode_fill(None, i2) is None
    assert decode_fill("not base64!", f4) == "not base64!"  # left as found, never guessed


def test_fill_value_missing_values_and_the_netcdf_default_fill_are_missing(tmp_path):
    data = np.array([1.0, -999.0, -888.0, -777.0, 9.969209968386869e36, 6.0], "float32")
    path = write_nc(tmp_path / "f.nc", {"v": (("x",), "f4", data, {
        "_FillValue": np.float32(-999.0), "missing_value": np.array([-888.0, -777.0], "f4")})})
    want = [1.0, np.nan, np.nan, np.nan, np.nan, 6.0]
    got = open_variable(path, "v").read()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    # The description decodes the same cells as missing.
    np.testing.assert_array_equal(ingest_values(reader_for(path).read_raw(path).arrays["v"]), want)


def test_missing_data_of_a_zarr_v3_store_written_by_xarray(tmp_path):
    ds = xr.Dataset({"v": ("x", np.array([1.0, np.nan, 3.0], "float32")),
                     "p": ("x", np.array([280.0, np.nan, 281.5]))})
    ds.to_zarr(tmp_path / "s.zarr", zarr_format=3, consolidated=False, encoding={"p": {
        "dtype": "int16", "scale_factor": 0.01, "add_offset": 280.0, "_FillValue": -32768}})
    cube = open_cube(tmp_path / "s.zarr")
    for name in ("v", "p"):
        want = xr.open_zarr(tmp_path / "s.zarr", consolidated=False)[name].values.astype("float32")
        assert np.array_equal(cube.variable(name).read(), want, equal_nan=True), name
    assert cube.variable("p").coding.fills == (-32768,)


# --- packing -------------------------------------------------------------------------------

@pytest.mark.parametrize("scale, offset, stored, wide", [
    (np.float32(0.1), np.float32(250.0), "i2", "float32"),  # CF pair of float32: float32
    (np.float64(0.1), np.float64(250.0), "i2", "float64"),
    (np.float32(0.1), np.float32(250.0), "i4", "float64"),  # 4-byte integers need float64
    (np.float32(0.1), np.float64(250.0), "i2", "float64"),  # mixed types: float64
])
def test_packed_integers_unpack_as_xarray_does(tmp_path, scale, offset, stored, wide):
    raw = np.array([-32767, -1, 0, 1, 12345, -32768], stored)
    path = write_nc(tmp_path / "p.nc", {"t": (("x",), stored, raw, {
        "scale_factor": scale, "add_offset": offset, "_FillValue": np.array(-32768, stored)})})
    var = open_variable(path, "t")
    assert var.coding.wide(var.dtype) == np.dtype(wide)
    want = xr.open_dataset(path)["t"].values.astype("float32")
    got = var.read()
    assert np.isnan(got[-1]) and np.array_equal(got, want, equal_nan=True)
    # and the unpacking is the CF formula, computed in that precision
    expected = (raw[:-1].astype(wide) * scale + offset).astype("float32")
    assert np.array_equal(got[:-1], expected)


def test_unsigned_bytes_of_netcdf3(tmp_path):
    raw = np.array([0, 1, 127, -128, -2, -1], "i1")  # 0, 1, 127, 128, 254, 255 unsigned
    path = write_nc(tmp_path / "u.nc", {"b": (("x",), "i1", raw, {
        "_Unsigned": "true", "_FillValue": np.int8(-1)})}, fmt="NETCDF3_CLASSIC")
    got = open_variable(path, "b").read()
    np.testing.assert_array_equal(got, [0, 1, 127, 128, 254, np.nan])
    assert np.array_equal(got, xr.open_dataset(path)["b"].values.astype("float32"), equal_nan=True)


def test_coding_of_an_array_without_encoding_changes_nothing(tmp_path):
    path = write_nc(tmp_path / "n.nc", {"n": (("x",), "i4", np.arange(6), {})})
    var = open_variable(path, "n")
    assert var.coding.fills == () and not var.coding.packed
    sel = var.selection()
    np.testing.assert_array_equal(sel.read(), np.arange(6, dtype="float32"))
    assert sel.finite is True  # integers with no fill hit: known finite without a pass


# --- calendars -----------------------------------------------------------------------------

def test_360_day_calendar(tmp_path):
    days = np.arange(0, 60, 1.0)  # 2000-01-01 .. 2000-02-30 in a 360-day year
    path = write_nc(tmp_path / "c.nc", {
        "time": (("time",), "f8", days, {"standard_name": "time", "units": "days since 2000-01-01",
                                         "calendar": "360_day"}),
        "v": (("time",), "f4", np.ones(60), {"units": "1"}),
    }, dims={"time": 60})
    meta = read_metadata(path)
    # 30 February has no Gregorian equivalent: the extent ends on the 29th, never guessed.
    assert (meta.time_start, meta.time_end) == ("2000-01-01T00:00:00Z", "2000-02-29T00:00:00Z")
    assert any(w.code == "time-not-gregorian" and "2000-02-30" in w.message for w in meta.warnings)
    times = open_variable(path, "v").coords["time"]
    assert times.dtype == object and times[59].day == 30 and times[59].calendar == "360_day"
    assert max(iso(t) for t in times if iso(t)) == meta.time_end  # what ml reads, ingest records
    assert [str(t) for t in times] == [str(t) for t in xr.open_dataset(
        path, decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))["time"].values]


def test_times_xarray_cannot_decode_are_decoded_as_ingest_decodes_them(tmp_path):
    units = "days since 1858-11-17 00:00:00 +0:00"
    path = write_nc(tmp_path / "t.nc", {
        "time": (("time",), "f8", [0.0, 1.5], {"standard_name": "time", "units": units}),
        "v": (("time",), "f4", [1.0, 2.0], {"units": "1"}),
    }, dims={"time": 2})
    meta = read_metadata(path)
    times = open_variable(path, "v").coords["time"]
    assert times.dtype == np.dtype("datetime64[ns]")
    assert (str(times[0])[:19] + "Z", str(times[-1])[:19] + "Z") == (meta.time_start, meta.time_end) \
        == ("1858-11-17T00:00:00Z", "1858-11-18T12:00:00Z")


# --- the CRS ----------------------------------------------------------------------------------

def crs_cube(tmp_path, mapping=None, global_attrs=None, name="c.nc"):
    variables = {"v": (("x",), "f4", np.ones(6), {"units": "K", **({"grid_mapping": "crs"} if mapping else {})})}
    if mapping is not None:
        variables["crs"] = ((), "i4", None, mapping)
    return write_nc(tmp_path / name, variables, global_attrs=global_attrs)


@pytest.mark.parametrize("mapping, global_attrs, want", [
    # An explicit EPSG code outranks a WKT that disagrees (CF 5.6: single-property first).
    ({"grid_mapping_name": "latitude_longitude", "epsg_code": "EPSG:4326", "crs_wkt": UTM33_WKT},
     None, EPSG + "4326"),
    ({"grid_mapping_name": "transverse_mercator", "crs_wkt": UTM33_WKT}, None, EPSG + "32633"),
    ({"grid_mapping_name": "latitude_longitude", "crs_wkt": WGS84_WKT_NO_CODE}, None, EPSG + "4326"),
    ({"grid_mapping_name": "latitude_longitude"}, None, CRS84),
    ({"spatial_ref": UTM33_WKT}, None, EPSG + "32633"),  # GDAL's copy of the WKT
    ({"grid_mapping_name": "latitude_longitude"}, {"crs": "EPSG:2100"}, CRS84),  # mapping first
    (None, {"crs": "EPSG:2100"}, EPSG + "2100"),  # outside CF, still declared
    (None, {"proj:epsg": 3035}, EPSG + "3035"),
    (None, None, None),
])
def test_crs_precedence_is_the_same_for_ingest_and_ml(tmp_path, mapping, global_attrs, want):
    path = crs_cube(tmp_path, mapping, global_attrs)
    meta = read_metadata(path)
    assert meta.crs == want
    assert open_variable(path, "v").crs == want
    assert any(w.code == "missing-crs" for w in meta.warnings) == (want is None)


def test_a_variable_with_its_own_grid_mapping(tmp_path):
    path = write_nc(tmp_path / "two.nc", {
        "a": (("x",), "f4", np.ones(6), {"grid_mapping": "geo"}),
        "b": (("x",), "f4", np.ones(6), {"grid_mapping": "utm"}),
        "geo": ((), "i4", None, {"grid_mapping_name": "latitude_longitude"}),
        "utm": ((), "i4", None, {"grid_mapping_name": "transverse_mercator", "epsg_code": 32633}),
    })
    assert read_metadata(path).crs == CRS84  # the cube: its first data variable's mapping
    assert (open_variable(path, "a").crs, open_variable(path, "b").crs) == (CRS84, EPSG + "32633")


@pytest.mark.parametrize("written", [4326, "4326", "EPSG:4326", "epsg:4326", "EPSG 4326",
                                     "urn:ogc:def:crs:EPSG::4326", EPSG + "4326", "WGS 84"])
def test_one_normalised_form_of_epsg_4326(written):
    assert normalise_crs(written) == EPSG + "4326"


def test_crs_comparison_and_labels():
    for written in ("CRS84", "OGC:CRS84", "latitude_longitude", CRS84):
        assert normalise_crs(written) == CRS84
    assert normalise_crs("") is None and normalise_crs("my_custom(x=1)") == "my_custom(x=1)"
    # Same datum and axes; the axis order is the cube's dimension order, not the CRS's.
    assert same_crs(EPSG + "4326", CRS84)
    assert not same_crs(EPSG + "4326", EPSG + "2100")
    assert (crs_label(EPSG + "2100"), crs_label(CRS84), crs_label(None)) == ("EPSG:2100", "CRS84", None)


def test_coding_reads_typed_netcdf_attributes(tmp_path):
    path = write_nc(tmp_path / "t.nc", {"t": (("x",), "i2", np.zeros(6), {
        "scale_factor": np.float32(0.5), "add_offset": np.float32(1.0)})})
    coding = coding_of(reader_for(path).read_raw(path).arrays["t"])
    assert isinstance(coding.scale, np.float32) and isinstance(coding.offset, np.float32)


def test_periods_months_and_days_in_a_360_day_calendar():
    times = xr.date_range("2000-01-01", periods=720, freq="D", calendar="360_day",
                          use_cftime=True).values
    # As xarray selects: both ends included, partial dates, and 30 February exists.
    sel = period_slice(times, "2000-02-30", "2001-01")
    expected = xr.DataArray(np.arange(720), coords={"time": times}, dims="time").sel(
        time=slice("2000-02-30", "2001-01")).values
    assert np.array_equal(np.arange(720)[sel], expected) and times[sel][0].day == 30
    assert times[sel][-1] == date_on_axis("2001-01-30", times)
    assert date_on_axis("2000-02-30", times) == times[59]
    assert list(np.unique(years_of(times))) == [2000, 2001]
    assert months_of(times)[[0, 59, 719]].tolist() == [0, 1, 11]
    assert days_of_year(times)[[0, 59, 359, 360]].tolist() == [0, 59, 359, 0]


def test_periods_months_and_days_on_datetime64_match_pandas():
    times = pd.date_range("2019-12-30", "2021-01-02", freq="D").values
    sel = period_slice(times, "2020-02", "2020-03-01")
    assert pd.Timestamp(times[sel][0]) == pd.Timestamp("2020-02-01")
    assert pd.Timestamp(times[sel][-1]) == pd.Timestamp("2020-03-01")
    index = pd.DatetimeIndex(times)
    assert np.array_equal(years_of(times), index.year)
    assert np.array_equal(months_of(times), index.month - 1)
    assert np.array_equal(days_of_year(times), index.day_of_year - 1)
    assert date_on_axis("2020-02-29", times) == np.datetime64("2020-02-29")
    shuffled = np.random.default_rng(0).permutation(times)
    with pytest.raises((KeyError, ValueError)):  # not one run of steps: refused, not guessed
        period_slice(shuffled, "2020-02", "2020-03")


def test_the_netcdf_default_fill_is_missing_in_zarr_too_unlike_xarray(tmp_path):
    # Deliberate (docs/ml.md): a float at netCDF's default fill is missing in every format,
    # so ingest's statistics and ml's training read the same cells; xarray masks it in
    # NetCDF only, and keeps it as a number in zarr.
    data = np.array([1.0, 9.969209968386869e36, 3.0], "float32")
    xr.Dataset({"v": ("x", data)}).to_zarr(tmp_path / "d.zarr", zarr_format=2,
                                           encoding={"v": {"_FillValue": None}})
    assert xr.open_zarr(tmp_path / "d.zarr")["v"].values[1] > 9e36
    np.testing.assert_array_equal(open_variable(tmp_path / "d.zarr", "v").read(),
                                  [1.0, np.nan, 3.0])
    raw = reader_for(tmp_path / "d.zarr").read_raw(tmp_path / "d.zarr").arrays["v"]
    np.testing.assert_array_equal(ingest_values(raw), [1.0, np.nan, 3.0])
