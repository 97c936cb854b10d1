"""The CF conformance corpus: small files, one or more per section of CF 1.11 (and ACDD,
CMIP6), each with the description ingest must give it.

A :class:`Case` is the file's content (dimensions, variables with their attributes and
values, global attributes), written by the tests with netCDF4 and, where the format can hold
it, as zarr v2 and v3 stores with the same attributes (:func:`write`). Its
:class:`Expect` is what the catalog must then say: the data variables (the measures), what
each measures, its units string, the extents, the notes (code and the array they are about)
and any further statement. ``tests/ingest/test_cf_corpus.py`` ingests every case in every
format into a real store and compares; ``docs/ingest.md`` ("CF conformance") lists the cases
beside the rules and shapes they exercise.

The odd cases come from files seen in the wild (operational ocean models, climate indices,
coastal forecasts): no units, ``1e-3``, ``degrees`` on latitude/longitude, trailing spaces
in units, 2-D auxiliary latitude/longitude, a 360-day calendar, a scalar time, a dimension
without a coordinate variable, a time axis found through another coordinate, longitudes in
0 .. 360 and boxes across either meridian, flags without units, vertical coordinates, ACDD
coverage attributes, CMIP6 attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

GLOBAL = {"Conventions": "CF-1.11", "title": "CF corpus file"}
LAT = {"standard_name": "latitude", "units": "degrees_north"}
LON = {"standard_name": "longitude", "units": "degrees_east"}
TIME = {"standard_name": "time", "units": "days since 2020-01-01"}
#: A note every file without a grid mapping gets; checked by its own case, left out elsewhere.
NO_CRS = "missing-crs"


@dataclass
class Var:
    """One array of a case: dimensions, values, attributes; ``dtype`` as numpy names it.
    NaN values of a float array are written as its ``_FillValue`` (when it has one)."""

    dims: tuple[str, ...]
    values: Any
    attrs: dict = field(default_factory=dict)
    dtype: str = "f8"


@dataclass
class Expect:
    """What the catalog says of a case.

    Attributes:
        measures: the data variables (exactly these).
        observables: variable -> the CF standard name it measures (its NERC IRI).
        units: variable -> its ``cg:unitsString`` (``None``: none written).
        bbox: ``(west, south, east, north)`` or ``None`` (no box).
        period: ``(start, end)`` as written, or ``None`` (no period).
        notes: ``(code, array)`` of every note but ``missing-crs`` (array ``None``: the cube).
        facts: further statements ``(subject, predicate, value)``: the subject is a path
            below the cube's IRI (``"dimension/depth"``, ``""`` for the cube), the predicate
            a ``cg:`` local name, the value a Python value compared with the literal's (or an
            IRI's path below the cube, starting with ``/``, or a ``cg:`` class for ``type``).
    """

    measures: set[str]
    observables: dict[str, str] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    bbox: tuple[float, float, float, float] | None = None
    period: tuple[str, str] | None = None
    notes: set[tuple[str, str | None]] = field(default_factory=set)
    facts: set[tuple[str, str, Any]] = field(default_factory=set)


@dataclass
class Case:
    """One corpus file: ``name`` (its file name stem), ``section`` (the rule it exercises),
    its content, what ingest must say of it, and whether zarr can carry it."""

    name: str
    section: str
    dims: dict[str, int]
    variables: dict[str, Var]
    expect: Expect
    attrs: dict = field(default_factory=dict)
    zarr: bool = True


# --- writers ----------------------------------------------------------------------------------

def write(case: Case, folder: Path, fmt: str) -> Path:
    """Write ``case`` in ``fmt`` (``"netcdf4"``, ``"zarr2"``, ``"zarr3"``) under ``folder``."""
    if fmt == "netcdf4":
        return _write_netcdf(case, folder / f"{case.name}.nc")
    return _write_zarr(case, folder / f"{case.name}.{fmt}.zarr", int(fmt[-1]))


def _values(var: Var) -> np.ndarray:
    return np.asarray(var.values, dtype=var.dtype)


def _write_netcdf(case: Case, path: Path) -> Path:
    import netCDF4

    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.setncatts({**GLOBAL, **case.attrs})
        for name, size in case.dims.items():
            ds.createDimension(name, size)
        for name, var in case.variables.items():
            attrs = dict(var.attrs)
            fill = attrs.pop("_FillValue", None)
            where = ds  # a name with slashes is a path through groups (CF 2.7)
            *groups, name = name.split("/")
            for group in groups:
                where = where.groups.get(group) or where.createGroup(group)
            v = where.createVariable(name, var.dtype, var.dims, fill_value=fill)
            v.set_auto_maskandscale(False)  # values are written as given (packed stays packed)
            v.setncatts(attrs)
            vals = _values(var)
            if fill is not None and vals.dtype.kind == "f":
                vals = np.where(np.isnan(vals), fill, vals)
            v[...] = vals
    return path


def _write_zarr(case: Case, path: Path, version: int) -> Path:
    import zarr

    root = zarr.open_group(str(path), mode="w", zarr_format=version)
    root.attrs.update({**GLOBAL, **case.attrs})
    for name, var in case.variables.items():
        vals = _values(var)
        attrs = dict(var.attrs)
        fill = attrs.get("_FillValue")
        if fill is not None and vals.dtype.kind == "f":
            vals = np.where(np.isnan(vals), fill, vals)
        kwargs = {"dimension_names": list(var.dims)} if version == 3 else {}
        if version == 2:
            attrs["_ARRAY_DIMENSIONS"] = list(var.dims)
        arr = root.create_array(name, shape=vals.shape, dtype=vals.dtype,
                                fill_value=fill if fill is not None else None,
                                **kwargs)
        arr.attrs.update({k: v.tolist() if isinstance(v, (np.ndarray, np.generic)) else v
                          for k, v in attrs.items()})
        arr[...] = vals
    return path


# --- the cases ------------------------------------------------------------------------------

def _grid(lat=(10.0, 11.0), lon=(20.0, 21.0, 22.0)) -> tuple[dict, dict]:
    """Dimensions and 1-D latitude/longitude coordinates."""
    return ({"lat": len(lat), "lon": len(lon)},
            {"lat": Var(("lat",), lat, LAT), "lon": Var(("lon",), lon, LON)})


def _field(dims=("lat", "lon"), shape=(2, 3), **attrs) -> Var:
    return Var(dims, np.arange(int(np.prod(shape)), dtype="f8").reshape(shape), attrs)


def _units() -> Case:
    dims, coords = _grid()
    return Case("units", "CF 3.1 Units", dims, {
        **coords,
        # a flag variable: CF gives it no units
        "qc": Var(("lat", "lon"), np.zeros((2, 3)), {
            "standard_name": "sea_water_temperature status_flag", "flag_values": np.array([0, 1], "i1"),
            "flag_meanings": "good bad"}, dtype="i1"),
        # an index nothing describes: no units, and nothing says what it is
        "nino": _field(long_name="nino 3.4 index"),
        # salinity in 1e-3 (the practical salinity scale): kept as written
        "so": _field(standard_name="sea_water_salinity", units="1e-3"),
        # trailing space in the units string
        "tas": _field(standard_name="air_temperature", units="K "),
        # a standard name whose canonical units are K, no units given
        "ts": _field(standard_name="surface_temperature"),
    }, Expect(
        measures={"qc", "nino", "so", "tas", "ts"},
        observables={"so": "sea_water_salinity", "tas": "air_temperature",
                     "ts": "surface_temperature"},
        units={"qc": None, "nino": None, "so": "1e-3", "tas": "K ", "ts": None},
        bbox=(20.0, 10.0, 22.0, 11.0),
        notes={("no-units", "nino"), ("units-missing", "ts"), ("no-observable", "nino"),
               ("no-time-dimension", None)},
    ))


def _standard_names() -> Case:
    dims, coords = _grid()
    return Case("standard_names", "CF 3.3 Standard Name", dims, {
        **coords,
        "tep": _field(standard_name="equivalent_potential_temperature", units="K"),  # an alias
        "tas_err": _field(standard_name="air_temperature standard_error", units="K"),
        "n_obs": _field(standard_name="air_temperature number_of_observations"),
        "odd": _field(standard_name="not_a_cf_name", units="K"),
    }, Expect(
        measures={"tep", "tas_err", "n_obs", "odd"},
        observables={"tep": "air_equivalent_potential_temperature"},
        units={"tas_err": "K", "n_obs": None},
        bbox=(20.0, 10.0, 22.0, 11.0),
        notes={("standard-name-alias", "tep"), ("unknown-standard-name", "odd"),
               ("no-observable", "odd"), ("no-time-dimension", None)},
        # a modifier: data about the quantity, not a measurement of it
        facts={("variable/tas_err", "isAbout", _nerc("air_temperature")),
               ("variable/n_obs", "isAbout", _nerc("air_temperature"))},
    ))


def _nerc(name: str) -> str:
    return f"http://vocab.nerc.ac.uk/standard_name/{name}/"


def _flags() -> Case:
    dims, coords = _grid()
    return Case("flags", "CF 3.5 Flags", dims, {
        **coords,
        "sst": _field(standard_name="sea_surface_temperature", units="K",
                      ancillary_variables="sst_qc"),
        "sst_qc": Var(("lat", "lon"), np.ones((2, 3)), {
            "standard_name": "sea_surface_temperature status_flag",
            "flag_masks": np.array([1, 2, 4], "i1"), "flag_meanings": "land ice cloud"}, "i1"),
        "land": Var(("lat", "lon"), np.ones((2, 3)), {
            "long_name": "land mask", "flag_values": np.array([0, 1], "i1"),
            "flag_meanings": "sea land"}, "i1"),
    }, Expect(
        measures={"sst", "sst_qc", "land"},
        observables={"sst": "sea_surface_temperature"},
        units={"sst_qc": None, "land": None},
        bbox=(20.0, 10.0, 22.0, 11.0),
        # a mask with no standard name measures nothing known, but needs no units (CF 3.5)
        notes={("no-observable", "land"), ("no-time-dimension", None)},
        facts={("variable/sst_qc", "isAbout", _nerc("sea_surface_temperature"))},
    ))


def _lat_lon_degrees() -> Case:
    """``degrees`` on latitude and longitude, recognised by their standard names (CF 4.1)."""
    return Case("degrees", "CF 4.1 Latitude Coordinate", {"y": 2, "x": 2}, {
        "y": Var(("y",), [40.0, 41.0], {"standard_name": "latitude", "units": "degrees"}),
        "x": Var(("x",), [-3.0, -2.0], {"standard_name": "longitude", "units": "degrees"}),
        "tas": _field(("y", "x"), (2, 2), standard_name="air_temperature", units="K"),
    }, Expect(measures={"tas"}, bbox=(-3.0, 40.0, -2.0, 41.0),
              notes={("no-time-dimension", None)},
              facts={("dimension/y", "axis", "Y"), ("dimension/x", "axis", "X")}))


def _vertical() -> Case:
    """A depth axis (positive down) and a pressure axis (no positive: pressure units)."""
    dims, coords = _grid()
    return Case("vertical", "CF 4.3 Vertical (Height or Depth) Coordinate",
                {"depth": 2, "plev": 2, **dims}, {
        **coords,
        "depth": Var(("depth",), [0.5, 10.0], {"standard_name": "depth", "units": "m",
                                                "positive": "down", "axis": "Z"}),
        "plev": Var(("plev",), [100000.0, 85000.0], {"standard_name": "air_pressure",
                                                      "units": "Pa"}),
        "thetao": _field(("depth", "lat", "lon"), (2, 2, 3), units="degC",
                         standard_name="sea_water_potential_temperature"),
        "ta": _field(("plev", "lat", "lon"), (2, 2, 3), units="K",
                     standard_name="air_temperature"),
    }, Expect(
        measures={"thetao", "ta"},
        bbox=(20.0, 10.0, 22.0, 11.0),
        notes={("no-time-dimension", None)},
        facts={("dimension/depth", "axis", "Z"), ("dimension/depth", "positive", "down"),
               ("dimension/depth", "maxValue", 10.0), ("dimension/plev", "axis", "Z")},
    ))


def _hybrid_levels() -> Case:
    """Hybrid sigma-pressure levels (CF 4.3.3): a, b and p0 are terms of the coordinate, not
    data; the surface pressure ps is data."""
    dims, coords = _grid()
    return Case("hybrid_levels", "CF 4.3.3 Parametric Vertical Coordinate", {"lev": 2, **dims}, {
        **coords,
        "lev": Var(("lev",), [0.9, 0.5], {
            "standard_name": "atmosphere_hybrid_sigma_pressure_coordinate", "units": "1",
            "positive": "down", "formula_terms": "a: a b: b ps: ps p0: p0"}),
        "a": Var(("lev",), [0.1, 0.3], {"long_name": "vertical coordinate formula term: a(k)"}),
        "b": Var(("lev",), [0.8, 0.2], {"long_name": "vertical coordinate formula term: b(k)"}),
        "p0": Var((), 100000.0, {"long_name": "reference pressure", "units": "Pa"}),
        "ps": _field(standard_name="surface_air_pressure", units="Pa"),
        "ta": _field(("lev", "lat", "lon"), (2, 2, 3), standard_name="air_temperature",
                     units="K"),
    }, Expect(measures={"ps", "ta"}, bbox=(20.0, 10.0, 22.0, 11.0),
              notes={("no-time-dimension", None)},
              facts={("dimension/lev", "axis", "Z"), ("dimension/lev", "positive", "down")}))


def _time_360_day() -> Case:
    dims, coords = _grid()
    return Case("calendar_360", "CF 4.4.1 Calendar", {"time": 12, **dims}, {
        **coords,
        "time": Var(("time",), np.arange(12) * 30.0 + 15, {
            "standard_name": "time", "units": "days since 2000-01-01", "calendar": "360_day"}),
        "tas": _field(("time", "lat", "lon"), (12, 2, 3), standard_name="air_temperature",
                      units="K"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 22.0, 11.0),
              period=("2000-01-16T00:00:00Z", "2000-12-16T00:00:00Z"),
              facts={("dimension/time", "calendar", "360_day")}))


def _time_undecodable() -> Case:
    """Time units without an epoch: no dates from them; the ACDD attributes date the cube."""
    dims, coords = _grid()
    return Case("time_undecodable", "CF 4.4 Time Coordinate", {"time": 3, **dims}, {
        **coords,
        "time": Var(("time",), [1.0, 2.0, 3.0], {"standard_name": "time", "units": "days"}),
        "tas": _field(("time", "lat", "lon"), (3, 2, 3), standard_name="air_temperature",
                      units="K"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 22.0, 11.0),
              period=("2021-03-01T00:00:00Z", "2021-03-03T00:00:00Z"),
              notes={("time-undecodable", "time"), ("time-from-acdd", None)}),
        attrs={"time_coverage_start": "2021-03-01", "time_coverage_end": "2021-03-03"})


def _time_all_fill() -> Case:
    dims, coords = _grid()
    return Case("time_all_fill", "CF 2.5.1 Missing data", {"time": 2, **dims}, {
        **coords,
        "time": Var(("time",), [np.nan, np.nan], {**TIME, "_FillValue": -9999.0}),
        "tas": _field(("time", "lat", "lon"), (2, 2, 3), standard_name="air_temperature",
                      units="K"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 22.0, 11.0),
              period=("2020-06-01T00:00:00Z", "2020-06-30T00:00:00Z"),
              notes={("time-all-fill", "time"), ("time-from-acdd", None)}),
        attrs={"time_coverage_start": "2020-06-01T00:00:00Z",
               "time_coverage_duration": "P29D"})


def _time_auxiliary() -> Case:
    """NEMO's layout: ``time_counter`` has no coordinate variable; ``time_centered`` is
    named by the data's ``coordinates`` (CF 5)."""
    return Case("time_auxiliary", "CF 5 Coordinate Systems", {"time_counter": 2, "y": 2, "x": 2}, {
        "time_centered": Var(("time_counter",), [15 * 86400.0, 45 * 86400.0], {
            "standard_name": "time", "units": "seconds since 1900-01-01", "calendar": "360_day"}),
        "nav_lat": Var(("y", "x"), [[40.0, 40.0], [41.0, 41.0]], LAT),
        "nav_lon": Var(("y", "x"), [[5.0, 6.0], [5.0, 6.0]], LON),
        "sst": _field(("time_counter", "y", "x"), (2, 2, 2), units="degC",
                      standard_name="sea_surface_temperature",
                      coordinates="time_centered nav_lat nav_lon"),
    }, Expect(measures={"sst"}, bbox=(5.0, 40.0, 6.0, 41.0),
              period=("1900-01-16T00:00:00Z", "1900-02-16T00:00:00Z"),
              notes={("time-from-auxiliary", "time_counter")},
              facts={("dimension/time_counter", "axis", "T")}))


def _no_coordinate_variable() -> Case:
    """A dimension without a coordinate variable (station) and 1-D auxiliary lat/lon on it."""
    return Case("stations", "CF 5 Coordinate Systems", {"time": 2, "station": 3}, {
        "time": Var(("time",), [0.0, 1.0], TIME),
        "lat": Var(("station",), [35.0, 36.0, 37.0], LAT),
        "lon": Var(("station",), [23.0, 24.0, 25.0], LON),
        "pr": _field(("time", "station"), (2, 3), standard_name="precipitation_flux",
                     units="kg m-2 s-1", coordinates="lat lon"),
    }, Expect(measures={"pr"}, bbox=(23.0, 35.0, 25.0, 37.0),
              period=("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"),
              facts={("dimension/station", "size", 3)}))


def _auxiliary_2d() -> Case:
    """A projected grid with 2-D latitude/longitude and its grid mapping (CF 5.2, 5.6)."""
    return Case("projected", "CF 5.6 Grid Mappings", {"y": 2, "x": 2}, {
        "y": Var(("y",), [0.0, 1000.0], {"standard_name": "projection_y_coordinate", "units": "m"}),
        "x": Var(("x",), [0.0, 1000.0], {"standard_name": "projection_x_coordinate", "units": "m"}),
        "lat": Var(("y", "x"), [[50.0, 50.0], [50.01, 50.01]], LAT),
        "lon": Var(("y", "x"), [[8.0, 8.014], [8.0, 8.014]], LON),
        "crs": Var((), 0, {"grid_mapping_name": "transverse_mercator",
                          "longitude_of_central_meridian": 9.0, "scale_factor_at_central_meridian": 0.9996,
                          "latitude_of_projection_origin": 0.0, "false_easting": 500000.0,
                          "false_northing": 0.0, "epsg_code": "EPSG:32632"}, "i4"),
        "tas": _field(("y", "x"), (2, 2), standard_name="air_temperature", units="K",
                      coordinates="lat lon", grid_mapping="crs"),
    }, Expect(measures={"tas"}, bbox=(8.0, 50.0, 8.014, 50.01),
              notes={("no-time-dimension", None)},
              facts={("", "crs", "http://www.opengis.net/def/crs/EPSG/0/32632")}))


def _rotated_pole() -> Case:
    """A rotated grid without true latitude/longitude: no box rather than a wrong one."""
    return Case("rotated", "CF 5.6 Grid Mappings", {"rlat": 2, "rlon": 2}, {
        "rlat": Var(("rlat",), [-1.0, 1.0], {"standard_name": "grid_latitude", "units": "degrees"}),
        "rlon": Var(("rlon",), [-1.0, 1.0], {"standard_name": "grid_longitude", "units": "degrees"}),
        "rp": Var((), 0, {"grid_mapping_name": "rotated_latitude_longitude",
                         "grid_north_pole_latitude": 39.25, "grid_north_pole_longitude": -162.0}, "i4"),
        "tas": _field(("rlat", "rlon"), (2, 2), standard_name="air_temperature", units="K",
                      grid_mapping="rp"),
    }, Expect(measures={"tas"}, bbox=None,
              notes={("no-true-latlon", None), ("no-time-dimension", None)}))


def _longitudes(name: str, section: str, lon, bbox, bounds=None, notes=()) -> Case:
    lon = np.asarray(lon, dtype="f8")
    variables = {"lat": Var(("lat",), [10.0, 11.0], LAT),
                 "lon": Var(("lon",), lon, dict(LON)),
                 "tas": _field(("lat", "lon"), (2, lon.size), standard_name="air_temperature",
                               units="K")}
    dims = {"lat": 2, "lon": lon.size}
    if bounds is not None:
        dims["nv"] = 2
        variables["lon"].attrs["bounds"] = "lon_bnds"
        variables["lon_bnds"] = Var(("lon", "nv"), bounds)
    return Case(name, section, dims, variables,
                Expect(measures={"tas"}, bbox=bbox, notes={("no-time-dimension", None), *notes}))


def _scalar_coordinates() -> Case:
    """A 2 m air temperature at one time: scalar height and time (CF 5.7)."""
    dims, coords = _grid()
    return Case("scalar", "CF 5.7 Scalar Coordinate Variables", dims, {
        **coords,
        "height": Var((), 2.0, {"standard_name": "height", "units": "m", "axis": "Z",
                               "positive": "up"}),
        "time": Var((), 31.0, TIME),
        "tas": _field(standard_name="air_temperature", units="K", coordinates="height time"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 22.0, 11.0),
              period=("2020-02-01T00:00:00Z", "2020-02-01T00:00:00Z"),
              notes={("no-time-dimension", None)},
              facts={("", "scalarCoordinate", "/variable/height"),
                     ("variable/height", "type", "ScalarCoordinate"),
                     ("variable/height", "value", 2.0), ("variable/height", "axis", "Z"),
                     ("variable/time", "value", "2020-02-01T00:00:00Z")}))


def _bounds() -> Case:
    """Cell bounds on time and latitude, a climatology, a bounds variable the file lacks."""
    return Case("bounds", "CF 7.1 Cell Boundaries", {"time": 2, "lat": 2, "lon": 2, "nv": 2}, {
        "time": Var(("time",), [15.5, 45.0], {**TIME, "climatology": "clim_bnds"}),
        "clim_bnds": Var(("time", "nv"), [[0.0, 31.0], [31.0, 60.0]]),
        "lat": Var(("lat",), [10.0, 11.0], {**LAT, "bounds": "lat_bnds"}),
        "lat_bnds": Var(("lat", "nv"), [[9.5, 10.5], [10.5, 11.5]]),
        "lon": Var(("lon",), [20.0, 21.0], {**LON, "bounds": "lon_bnds"}),  # not in the file
        "tas": _field(("time", "lat", "lon"), (2, 2, 2), standard_name="air_temperature",
                      units="K", cell_methods="time: mean within years time: mean over years"),
    }, Expect(measures={"tas"}, bbox=(20.0, 9.5, 21.0, 11.5),
              period=("2020-01-16T12:00:00Z", "2020-02-15T00:00:00Z"),
              notes={("bounds-missing", "lon")},
              facts={("dimension/lat", "hasBounds", "/variable/lat_bnds"),
                     ("variable/lat_bnds", "type", "CellBounds"),
                     ("variable/lat_bnds", "arrayName", "lat_bnds"),
                     ("dimension/time", "hasBounds", "/variable/clim_bnds"),
                     ("variable/clim_bnds", "type", "ClimatologyBounds")}))


def _bounds_odd() -> Case:
    """Bounds CF does not allow: vertices first (not used for the box), a climatology the
    file lacks beside valid bounds (both attributes: CF 7.4 allows one)."""
    return Case("bounds_odd", "CF 7.1 Cell Boundaries", {"time": 2, "lat": 2, "lon": 2, "nv": 2}, {
        "time": Var(("time",), [0.5, 1.5], {**TIME, "climatology": "nope",
                                             "bounds": "time_bnds"}),
        "time_bnds": Var(("time", "nv"), [[0.0, 1.0], [1.0, 2.0]]),
        "lat": Var(("lat",), [10.0, 11.0], {**LAT, "bounds": "lat_bnds"}),
        "lat_bnds": Var(("nv", "lat"), [[9.5, 10.5], [10.5, 11.5]]),
        "lon": Var(("lon",), [20.0, 21.0], {**LON, "bounds": "lon"}),  # itself
        "tas": _field(("time", "lat", "lon"), (2, 2, 2), standard_name="air_temperature",
                      units="K"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 21.0, 11.0),
              period=("2020-01-01T12:00:00Z", "2020-01-02T12:00:00Z"),
              notes={("bounds-and-climatology", "time"), ("bounds-missing", "time"),
                     ("bounds-shape", "lat"), ("bounds-shape", "lon")},
              facts={("dimension/time", "hasBounds", "/variable/time_bnds")}))


def _cell_measures() -> Case:
    dims, coords = _grid()
    return Case("cell_measures", "CF 7.2 Cell Measures", dims, {
        **coords,
        "areacello": Var(("lat", "lon"), np.full((2, 3), 1.2e10),
                         {"standard_name": "cell_area", "units": "m2"}),
        "tos": _field(standard_name="sea_surface_temperature", units="degC",
                      cell_measures="area: areacello"),
        "tas": _field(standard_name="air_temperature", units="K",
                      cell_measures="area: areacella"),  # external_variables names it
        "pr": _field(standard_name="precipitation_flux", units="kg m-2 s-1",
                     cell_measures="area: gone"),
        # odd spellings seen in the wild
        "sos": _field(standard_name="sea_surface_salinity", units="1e-3",
                      cell_measures="area:areacello"),
        "zos": _field(standard_name="sea_surface_height_above_geoid", units="m",
                      cell_measures="area : areacello"),
        # not cell measures: a data variable (it stays data) and the variable itself
        "uas": _field(standard_name="eastward_wind", units="m s-1", cell_measures="area: tos"),
        "vas": _field(standard_name="northward_wind", units="m s-1", cell_measures="area: vas"),
        "hfss": _field(standard_name="surface_upward_sensible_heat_flux", units="W m-2",
                       cell_measures="areacella"),
    }, Expect(measures={"tos", "tas", "pr", "sos", "zos", "uas", "vas", "hfss"},
              bbox=(20.0, 10.0, 22.0, 11.0),
              notes={("cell-measure-missing", "pr"), ("no-time-dimension", None),
                     ("cell-measure-is-data", "uas"), ("cell-measure-is-data", "vas"),
                     ("cell-measure-syntax", "hfss")},
              facts={("variable/tos", "cellMeasure", "/variable/areacello"),
                     ("variable/areacello", "type", "CellMeasure"),
                     ("variable/areacello", "measureKind", "area"),
                     ("variable/sos", "cellMeasure", "/variable/areacello"),
                     ("variable/zos", "cellMeasure", "/variable/areacello"),
                     ("variable/tas", "cellMeasure", "/variable/areacella")}),
        attrs={"external_variables": "areacella"})


def _packed() -> Case:
    """int16 packed with scale_factor / add_offset and a _FillValue (CF 8.1, 2.5.1)."""
    dims, coords = _grid()
    return Case("packed", "CF 8.1 Packed Data", dims, {
        **coords,
        "tas": Var(("lat", "lon"), [[0, 1, 2], [3, 4, -32767]], {
            "standard_name": "air_temperature", "units": "K", "scale_factor": 0.01,
            "add_offset": 273.15, "_FillValue": np.int16(-32767)}, "i2"),
        "empty": Var(("lat", "lon"), np.full((2, 3), np.nan), {
            "standard_name": "air_pressure", "units": "Pa", "_FillValue": -1.0e20}),
    }, Expect(measures={"tas", "empty"}, units={"tas": "K"}, bbox=(20.0, 10.0, 22.0, 11.0),
              notes={("all-fill", "empty"), ("no-time-dimension", None)}))


def _gathering() -> Case:
    """Land points gathered into one dimension (CF 8.2, compression by gathering)."""
    return Case("gathered", "CF 8.2 Compression by Gathering",
                {"time": 2, "lat": 2, "lon": 3, "landpoint": 2}, {
        "time": Var(("time",), [0.0, 1.0], TIME),
        "lat": Var(("lat",), [10.0, 11.0], LAT),
        "lon": Var(("lon",), [20.0, 21.0, 22.0], LON),
        "landpoint": Var(("landpoint",), [1, 4], {"compress": "lat lon"}, "i4"),
        "mrso": _field(("time", "landpoint"), (2, 2), standard_name="mass_content_of_water_in_soil",
                       units="kg m-2"),
    }, Expect(measures={"mrso"}, period=("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"),
              bbox=(21.0, 10.0, 21.0, 11.0)))  # points 1 and 4 of the 2 x 3 grid: lon 21


def _dsg() -> Case:
    """A time series of stations (CF 9, discrete sampling geometries)."""
    return Case("timeseries", "CF 9 Discrete Sampling Geometries", {"station": 2, "time": 3}, {
        "station_id": Var(("station",), [101, 102], {"cf_role": "timeseries_id"}, "i4"),
        "lat": Var(("station",), [-15.0, -14.0], LAT),
        "lon": Var(("station",), [-47.0, -46.0], LON),
        "time": Var(("time",), [0.0, 1.0, 2.0], TIME),
        "tas": _field(("station", "time"), (2, 3), standard_name="air_temperature", units="K",
                      coordinates="lat lon station_id"),
    }, Expect(measures={"tas"}, bbox=(-47.0, -15.0, -46.0, -14.0),
              period=("2020-01-01T00:00:00Z", "2020-01-03T00:00:00Z")),
        attrs={"featureType": "timeSeries"})


def _ragged() -> Case:
    """Stations' series in one contiguous ragged array (CF 9.3.3): the count variable
    structures the data, the observations' times restart per station (an auxiliary
    coordinate need not be monotonic, so no note says so)."""
    return Case("ragged", "CF 9.3.3 Contiguous ragged array representation",
                {"station": 2, "obs": 5}, {
        "station_id": Var(("station",), [101, 102], {"cf_role": "timeseries_id"}, "i4"),
        "row_size": Var(("station",), [2, 3], {"sample_dimension": "obs",
                                               "long_name": "number of observations"}, "i4"),
        "lat": Var(("station",), [1.0, 2.0], LAT),
        "lon": Var(("station",), [3.0, 4.0], LON),
        "time": Var(("obs",), [0.0, 1.0, 0.0, 1.0, 2.0], TIME),
        "tas": _field(("obs",), (5,), standard_name="air_temperature", units="K",
                      coordinates="time lat lon station_id"),
    }, Expect(measures={"tas"}, bbox=(3.0, 1.0, 4.0, 2.0),
              period=("2020-01-01T00:00:00Z", "2020-01-03T00:00:00Z"),
              notes={("time-from-auxiliary", "obs")}),
        attrs={"featureType": "timeSeries"})


def _groups() -> Case:
    """Hierarchical groups (CF 1.8+, section 2.7): the same name in two groups, a scalar
    coordinate found by proximity (in the variable's own group before the root). NetCDF-4
    only: zarr has no such convention."""
    dims, coords = _grid()
    return Case("groups", "CF 2.7 Groups", dims, {
        **coords,
        "height": Var((), 10.0, {"standard_name": "height", "units": "m", "axis": "Z"}),
        "forecast/height": Var((), 2.0, {"standard_name": "height", "units": "m", "axis": "Z"}),
        "forecast/tas": _field(standard_name="air_temperature", units="K", coordinates="height"),
        "analysis/tas": _field(standard_name="air_temperature", units="K",
                               coordinates="/height"),
    }, Expect(measures={"forecast/tas", "analysis/tas"},
              observables={"forecast/tas": "air_temperature"},
              bbox=(20.0, 10.0, 22.0, 11.0), notes={("no-time-dimension", None)},
              facts={("", "scalarCoordinate", "/variable/forecast%2Fheight"),
                     ("variable/forecast%2Fheight", "value", 2.0),
                     ("", "scalarCoordinate", "/variable/height"),
                     ("variable/height", "value", 10.0)}),
        zarr=False)


def _cmip6() -> Case:
    dims, coords = _grid()
    return Case("cmip6", "CMIP6 global attributes", {"time": 1, **dims}, {
        **coords,
        "time": Var(("time",), [0.0], TIME),
        "tas": _field(("time", "lat", "lon"), (1, 2, 3), standard_name="air_temperature",
                      units="K"),
    }, Expect(measures={"tas"}, bbox=(20.0, 10.0, 22.0, 11.0),
              period=("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
              facts={("", "experimentId", "historical"), ("", "variantLabel", "r1i1p1f1"),
                     ("", "sourceId", "EC-Earth3"),
                     ("", "trackingId", "hdl:21.14100/0b6f6c8e-0c3f-4b2c-9b3c-1f2e3d4c5b6a")}),
        attrs={"mip_era": "CMIP6", "experiment_id": "historical", "variant_label": "r1i1p1f1",
               "source_id": "EC-Earth3",
               "tracking_id": "hdl:21.14100/0b6f6c8e-0c3f-4b2c-9b3c-1f2e3d4c5b6a"})


CASES: list[Case] = [
    _units(), _standard_names(), _flags(), _lat_lon_degrees(), _vertical(), _hybrid_levels(), _time_360_day(),
    _time_undecodable(), _time_all_fill(), _time_auxiliary(), _no_coordinate_variable(),
    _auxiliary_2d(), _rotated_pole(),
    _longitudes("global_0_360", "CF 4.2 Longitude Coordinate",
                np.linspace(0.0, 360.0, 433)[:-1], (-180.0, 10.0, 180.0, 11.0)),
    # as seen in the wild: 0..360 values that jump back at the prime meridian (CF 5 wants
    # coordinates monotonic, so the note; the box is still the area's)
    _longitudes("prime_meridian", "CF 4.2 Longitude Coordinate",
                np.r_[np.arange(325.5, 360.0, 1.0), np.arange(0.5, 31.0, 1.0)],
                (-34.5, 10.0, 30.5, 11.0), notes={("coordinate-not-monotonic", "lon")}),
    _longitudes("antimeridian", "CF 4.2 Longitude Coordinate", [170.0, 180.0, 190.0],
                (170.0, 10.0, -170.0, 11.0)),
    _longitudes("antimeridian_bounds", "CF 7.1 Cell Boundaries", [175.0, -175.0],
                (170.0, 10.0, -170.0, 11.0), bounds=[[170.0, 180.0], [-180.0, -170.0]]),
    _scalar_coordinates(), _bounds(), _bounds_odd(), _cell_measures(), _packed(), _gathering(), _dsg(),
    _ragged(), _groups(), _cmip6(),
]
