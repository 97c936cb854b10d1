"""Which arrays of a cube are coordinates and which data variables; each coordinate's axis.

Shared by ingest (what to describe) and ml (which names a job may use as inputs), so a
variable the catalogue lists is exactly a variable a job can read.
"""

from __future__ import annotations

import re

from cubegraph.ingest.cubes.crs import grid_mapping_names
from cubegraph.ingest.cubes.raw import RawArray, RawCube

__all__ = ["coordinate_names", "named_pairs", "measure_names", "data_arrays", "auxiliary_time", "axis", "is_lat", "is_lon", "Y_NAMES", "X_NAMES"]

_LAT_NAMES = {"latitude"}
_LON_NAMES = {"longitude"}
_LAT_UNITS = {"degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"}
_LON_UNITS = {"degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"}
Y_NAMES = {"grid_latitude", "projection_y_coordinate", "projection_y_angular_coordinate"}
X_NAMES = {"grid_longitude", "projection_x_coordinate", "projection_x_angular_coordinate"}
_Z_NAMES = {
    "air_pressure", "altitude", "height", "depth", "model_level_number",
    "atmosphere_hybrid_sigma_pressure_coordinate", "atmosphere_sigma_coordinate",
    "height_above_mean_sea_level", "depth_below_geoid",
}


def coordinate_names(raw: RawCube) -> set[str]:
    """Names of the arrays that are coordinates, bounds, cell measures or grid mappings (not
    data): a cell's area is a property of the grid, not an observation."""
    coords: set[str] = set()
    for arr in raw.arrays.values():
        a = arr.attrs
        coords.update(grid_mapping_names(a.get("coordinates")))
        coords.update(measure_names(raw, arr))
        # the terms of a parametric vertical coordinate (CF 4.3.3) that live on it alone
        # (the a and b of hybrid levels, a reference p0); a surface field (ps) stays data
        for _, term in named_pairs(a.get("formula_terms")):
            t = raw.arrays.get(term)
            if t is not None and set(t.dims) <= set(arr.dims):
                coords.add(term)
        for key in ("bounds", "climatology", "grid_mapping"):
            coords.update(grid_mapping_names(a.get(key)))
        # grid mappings, DSG instance ids, and the count / index variables of ragged
        # arrays (CF 9.3.3, 9.3.4): they structure the data, they are not data
        if "grid_mapping_name" in a or "cf_role" in a or "sample_dimension" in a \
                or "instance_dimension" in a:
            coords.add(arr.name)
        if len(arr.dims) == 1 and arr.dims[0] == arr.name:
            coords.add(arr.name)
        if len(arr.dims) <= 1 and axis(arr) is not None:
            coords.add(arr.name)
    return coords


def named_pairs(value) -> list[tuple[str, str]]:
    """The ``(key, variable)`` pairs of a CF attribute written ``key: variable ...``:
    ``cell_measures`` (CF 7.2, ``"area: cell_area volume: vol"`` gives
    ``[("area", "cell_area"), ("volume", "vol")]``) and ``formula_terms`` (CF 4.3.3).
    ``"area:cell_area"`` and ``"area : cell_area"`` read as ``"area: cell_area"``. Words
    that do not pair up are left out."""
    if not isinstance(value, str):
        return []
    return _PAIRS.findall(value)


_PAIRS = re.compile(r"([^\s:]+)\s*:\s*([^\s:]+)")

#: Standard names a cell measure variable may carry (CF 7.2: "cell_area" or "cell_volume").
MEASURE_NAMES = {"cell_area", "cell_volume", None}


def measure_names(raw: RawCube, arr: RawArray) -> list[str]:
    """The variables ``arr``'s ``cell_measures`` names that are cell measures, not data:
    of kind area or volume, another variable than ``arr``, with no standard name but
    ``cell_area`` / ``cell_volume`` (one that measures something else is data, and noted)."""
    names = []
    for kind, name in named_pairs(arr.attrs.get("cell_measures")):
        target = raw.arrays.get(name)
        if kind in ("area", "volume") and name != arr.name and (
                target is None or target.attrs.get("standard_name") in MEASURE_NAMES):
            names.append(name)
    return names


def data_arrays(raw: RawCube) -> list[RawArray]:
    """The data variables of a cube, in store order."""
    coords = coordinate_names(raw)
    return [a for a in raw.arrays.values() if a.name not in coords]


def auxiliary_time(raw: RawCube, dim: str, data: list[RawArray]) -> RawArray | None:
    """The 1-D auxiliary time coordinate of a dimension without a coordinate variable: one
    that the data variables on ``dim`` name in their ``coordinates`` attribute (NEMO's
    ``time_centered(time_counter)``), the first named, one with standard_name ``time``
    before the others (``forecast_reference_time`` and friends). None when there is none.

    Shared by ingest (the dimension's description) and ml's reader (the dimension's times),
    so a period the catalogue states is a period a job can select."""
    found: list[RawArray] = []
    for var in data:
        if dim not in var.dims:
            continue
        for coord in grid_mapping_names(var.attrs.get("coordinates")):
            arr = raw.arrays.get(coord)
            if arr is not None and arr.dims == (dim,) and axis(arr) == "T" \
                    and all(f.name != coord for f in found):
                found.append(arr)
    found.sort(key=lambda a: a.attrs.get("standard_name") != "time")
    return found[0] if found else None


def axis(arr: RawArray) -> str | None:
    """The CF axis of an array (``T``, ``X``, ``Y``, ``Z``) from its attributes, or None."""
    a = arr.attrs
    ax = str(a.get("axis", "")).upper()
    if ax in ("T", "X", "Y", "Z"):
        return ax
    sn = str(a.get("standard_name", "")).split(" ")[0]
    units = str(a.get("units", ""))
    if sn == "time" or " since " in units:
        return "T"
    if sn in _LAT_NAMES | Y_NAMES or units.lower() in _LAT_UNITS:
        return "Y"
    if sn in _LON_NAMES | X_NAMES or units.lower() in _LON_UNITS:
        return "X"
    if sn in _Z_NAMES or str(a.get("positive", "")).lower() in ("up", "down"):
        return "Z"
    return None


def is_lat(arr: RawArray) -> bool:
    sn = str(arr.attrs.get("standard_name", ""))
    return sn == "latitude" or str(arr.attrs.get("units", "")).lower() in _LAT_UNITS


def is_lon(arr: RawArray) -> bool:
    sn = str(arr.attrs.get("standard_name", ""))
    return sn == "longitude" or str(arr.attrs.get("units", "")).lower() in _LON_UNITS
