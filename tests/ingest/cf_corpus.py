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
            v = ds.createVariable(name, var.dtype, var.dims, fill_value=fill)
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
        arr.attrs.update({k: v.tolist() if isinstance(v, np.ndarray) else v
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


CASES: list[Case] = [_units()]
